namespace MailHost.Accounts;

/// <summary>A new API key together with its token, which exists only here: the directory keeps a hash of its secret.</summary>
/// <param name="Key">The key as the directory lists it.</param>
/// <param name="Token">The bearer token, <c>mhk_&lt;id&gt;_&lt;secret&gt;</c>; show it once, never log it.</param>
public sealed record ApiKeyCreated(ApiKeyInfo Key, string Token);
