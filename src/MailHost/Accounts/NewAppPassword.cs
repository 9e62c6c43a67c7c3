using System.Net;

namespace MailHost.Accounts;

/// <summary>What a new app password may do; its secret, id and creation time are made by the directory.</summary>
/// <param name="Name">The device or program it is for: 1 to 64 characters, none of them control or format characters.</param>
/// <param name="Protocols">The protocols it may log in with; at least one.</param>
/// <param name="Networks">The client networks it may log in from (at most 16); empty for any.</param>
/// <param name="Expires">When it stops working; <see langword="null"/> for never.</param>
public sealed record NewAppPassword(string Name, AppPasswordProtocols Protocols, IReadOnlyList<IPNetwork> Networks, DateTimeOffset? Expires);
