using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MailHost.Certificates;

/// <summary>
/// Turns the bytes of a configured certificate into a <see cref="CertificateEntry"/>, or says why it cannot serve:
/// unreadable, no private key, a key that is not the certificate's, expired. The formats: a PEM certificate with its
/// chain and a PEM key (<c>fullchain.pem</c> and <c>privkey.pem</c> from certbot, <c>tls.crt</c> and <c>tls.key</c>
/// from a Kubernetes secret), one PEM holding both, or a PKCS#12 (PFX) file with its chain.
/// </summary>
internal static class CertificateFileParser
{
    /// <summary>The entry for <paramref name="content"/>; null with <paramref name="error"/> set when it cannot serve.</summary>
    public static CertificateEntry? TryParse(CertificateFileSource source, CertificateFileContent content, DateTimeOffset now, out string? error)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(content);
        X509Certificate2 certificate;
        X509Certificate2Collection intermediates;
        try
        {
            (certificate, intermediates) = IsPem(content.Certificate)
                ? ReadPem(content, source.Options.Password)
                : ReadPkcs12(content.Certificate, source.Options.Password);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            error = $"not a readable certificate with its key ({ex.Message})";
            return null;
        }

        if (!certificate.HasPrivateKey)
        {
            error = "the certificate has no private key; give the key with KeyPath (PEM) or use a PFX that holds it";
            return null;
        }

        if (certificate.NotAfter.ToUniversalTime() <= now.UtcDateTime)
        {
            error = $"the certificate {certificate.Subject} expired on {certificate.NotAfter.ToUniversalTime():u}";
            return null;
        }

        error = null;
        return CertificateEntry.Create(source.Name, source.Options.Path!, certificate, intermediates);
    }

    private static bool IsPem(byte[] data) => data.AsSpan().IndexOf("-----BEGIN "u8) >= 0;

    private static (X509Certificate2 Certificate, X509Certificate2Collection Intermediates) ReadPem(CertificateFileContent content, string? password)
    {
        var certificatePem = Encoding.ASCII.GetString(content.Certificate);

        // Without a key file the key is looked for in the certificate file itself (one PEM with both, as HAProxy uses).
        var keyPem = content.Key is null ? certificatePem : Encoding.ASCII.GetString(content.Key);

        // Both throw when the key is not the certificate's: a half-renewed pair never reaches a client.
        using var pem = string.IsNullOrEmpty(password)
            ? X509Certificate2.CreateFromPem(certificatePem, keyPem)
            : X509Certificate2.CreateFromEncryptedPem(certificatePem, keyPem, password);

        // An ephemeral PEM key is not usable by every TLS stack (Windows SChannel); a PKCS#12 round trip is.
        var certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), password: null);
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(certificatePem);
        return (certificate, WithoutLeaf(chain, certificate));
    }

    private static (X509Certificate2 Certificate, X509Certificate2Collection Intermediates) ReadPkcs12(byte[] data, string? password)
    {
        var all = X509CertificateLoader.LoadPkcs12Collection(data, password);
        var certificate = all.FirstOrDefault(c => c.HasPrivateKey) ?? all.FirstOrDefault()
            ?? throw new CryptographicException("the PKCS#12 file holds no certificate");
        return (certificate, WithoutLeaf(all, certificate));
    }

    /// <summary>The chain to send after the leaf (RFC 8446 §4.4.2: the sender's certificate comes first).</summary>
    private static X509Certificate2Collection WithoutLeaf(X509Certificate2Collection all, X509Certificate2 leaf)
    {
        var rest = new X509Certificate2Collection();
        foreach (var certificate in all)
        {
            if (!certificate.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span))
            {
                rest.Add(certificate);
            }
        }

        return rest;
    }
}
