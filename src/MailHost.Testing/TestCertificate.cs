using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailHost.Testing;

/// <summary>Makes the throwaway server certificate of a <see cref="MailTestServer"/>, in memory, never on disk.</summary>
internal static class TestCertificate
{
    /// <summary>
    /// A self-signed ECDSA P-256 certificate for <paramref name="hostname"/>, <c>localhost</c>, 127.0.0.1 and ::1,
    /// valid from a few minutes ago (clocks of test machines drift) for one day: a test run never needs longer.
    /// </summary>
    public static X509Certificate2 Create(string hostname)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={hostname}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(hostname);
        if (!string.Equals(hostname, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            names.AddDnsName("localhost");
        }

        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        using var created = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        // A key made by CreateSelfSigned is ephemeral, which some TLS stacks (Windows SChannel) cannot use for a
        // server; a PKCS#12 round trip gives it a usable key container.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), password: null);
    }
}
