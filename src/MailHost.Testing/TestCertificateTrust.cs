using System.Security.Cryptography.X509Certificates;

namespace MailHost.Testing;

/// <summary>Trusts exactly one certificate, by its SHA-256 hash: never "accept anything" (CA5359).</summary>
internal static class TestCertificateTrust
{
    public static bool IsSame(X509Certificate2 expected, X509Certificate? presented) =>
        presented is not null
        && expected.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256)
            .AsSpan()
            .SequenceEqual(presented.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256));
}
