using System.Net;

namespace MailHost.Accounts;

/// <summary>The most recent recorded login with an app password.</summary>
/// <param name="Time">When the login succeeded.</param>
/// <param name="RemoteAddress">The client's address (an IPv4 client on a dual-stack socket as IPv4); <see langword="null"/> when unknown.</param>
/// <param name="Protocol">"IMAP", "POP3" or "SMTP".</param>
/// <param name="ClientName">The client's own name (IMAP ID, EHLO), when it gave one before logging in.</param>
public sealed record AppPasswordUse(DateTimeOffset Time, IPAddress? RemoteAddress, string Protocol, string? ClientName);
