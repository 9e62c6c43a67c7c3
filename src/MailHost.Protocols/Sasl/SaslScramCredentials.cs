namespace MailHost.Protocols.Sasl;

/// <summary>
/// The server-side SCRAM material for one user (RFC 5802 §3): salt, iteration count, StoredKey and ServerKey.
/// The SHA-256 keys are 32 bytes each.
/// </summary>
/// <param name="Salt">The user's salt (SCRAM "s"), not empty.</param>
/// <param name="Iterations">The PBKDF2 iteration count (SCRAM "i"), at least 1.</param>
/// <param name="StoredKey">H(ClientKey), 32 bytes.</param>
/// <param name="ServerKey">HMAC(SaltedPassword, "Server Key"), 32 bytes.</param>
public sealed record SaslScramCredentials(
    ReadOnlyMemory<byte> Salt,
    int Iterations,
    ReadOnlyMemory<byte> StoredKey,
    ReadOnlyMemory<byte> ServerKey)
{
    /// <summary>Length of StoredKey and ServerKey for SHA-256.</summary>
    public const int KeyLength = 32;

    /// <summary>Whether the record has the shape SCRAM-SHA-256 needs.</summary>
    public bool IsValid => Salt.Length > 0 && Iterations > 0 && StoredKey.Length == KeyLength && ServerKey.Length == KeyLength;
}
