namespace MailHost.Dkim;

/// <summary>
/// The DKIM signing algorithms MailHost creates keys for, by their RFC 6376 <c>a=</c> tag names (the form in which
/// <see cref="DkimKey.Algorithm"/> stores them).
/// </summary>
public static class DkimAlgorithms
{
    /// <summary>RSA with SHA-256 (RFC 6376 §3.3.1); keys are 2048 bits, RFC 8301 §3.2 forbids fewer than 1024.</summary>
    public const string RsaSha256 = "rsa-sha256";

    /// <summary>Ed25519 with SHA-256 (RFC 8463 §3).</summary>
    public const string Ed25519Sha256 = "ed25519-sha256";

    /// <summary>Whether <paramref name="algorithm"/> is one of the algorithms above (compared exactly, lower case).</summary>
    public static bool IsKnown(string? algorithm) => algorithm is RsaSha256 or Ed25519Sha256;
}
