namespace MailHost.Accounts;

/// <summary>An API key as the directory keeps it: everything but its secret, of which only a hash is stored.</summary>
/// <param name="Id">The key's public identifier: 12 lowercase hexadecimal characters, also part of its token.</param>
/// <param name="Name">What the operator called the key (1 to 64 printable characters).</param>
/// <param name="Scope">What the key may do.</param>
/// <param name="CreatedBy">Who created the key (an audit actor, such as <c>cli:root</c>).</param>
/// <param name="Created">When the key was created.</param>
/// <param name="LastUsed">When the key was last accepted, to the minute; <see langword="null"/> when never.</param>
/// <param name="Revoked">Whether the key is revoked (a revoked key is never accepted again).</param>
public sealed record ApiKeyInfo(
    string Id,
    string Name,
    ApiKeyScope Scope,
    string CreatedBy,
    DateTimeOffset Created,
    DateTimeOffset? LastUsed,
    bool Revoked);
