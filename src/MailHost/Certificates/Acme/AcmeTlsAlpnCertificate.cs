using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailHost.Certificates.Acme;

/// <summary>
/// The self-signed certificate a TLS-ALPN-01 answer presents (RFC 8737 §3): one dNSName, the identifier, in its
/// subject alternative names, and the critical acmeIdentifier extension holding the SHA-256 digest of the key
/// authorization.
/// </summary>
internal static class AcmeTlsAlpnCertificate
{
    /// <summary>id-pe-acmeIdentifier (RFC 8737 §6.1).</summary>
    public const string AcmeIdentifierOid = "1.3.6.1.5.5.7.1.31";

    /// <summary>Creates the certificate for <paramref name="name"/>, valid for a week around <paramref name="now"/>.</summary>
    public static X509Certificate2 Create(string name, string keyAuthorization, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(name);
        request.CertificateExtensions.Add(names.Build());

        // RFC 8737 §3: "The acmeIdentifier extension MUST be marked critical".
        request.CertificateExtensions.Add(new X509Extension(AcmeIdentifierOid, ExtensionValue(keyAuthorization), critical: true));
        using var created = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(7));

        // A PKCS#12 round trip gives a key every TLS stack can use (Windows SChannel does not take ephemeral keys).
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), password: null);
    }

    /// <summary>RFC 8737 §3: <c>Authorization ::= OCTET STRING (SIZE (32))</c>, the DER of the key authorization's SHA-256.</summary>
    public static byte[] ExtensionValue(string keyAuthorization)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteOctetString(AcmeKeyAuthorization.Digest(keyAuthorization));
        return writer.Encode();
    }
}
