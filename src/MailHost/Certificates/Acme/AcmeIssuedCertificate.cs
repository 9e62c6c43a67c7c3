using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MailHost.Certificates.Acme;

/// <summary>
/// A certificate obtained through ACME, ready to serve: the leaf with its private key and the intermediates sent after
/// it. Kept on disk as one PEM text (the key, then the chain leaf first), so that a renewal replaces key and
/// certificate together in one rename and a crash can never pair a new key with an old certificate.
/// </summary>
internal sealed class AcmeIssuedCertificate
{
    private AcmeIssuedCertificate(X509Certificate2 certificate, X509Certificate2Collection intermediates)
    {
        Certificate = certificate;
        Intermediates = intermediates;
    }

    public X509Certificate2 Certificate { get; }

    public X509Certificate2Collection Intermediates { get; }

    public DateTimeOffset NotBefore => new(Certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);

    public DateTimeOffset NotAfter => new(Certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);

    /// <summary>The certificate's DNS names (normalised).</summary>
    public IReadOnlyList<string> Names => CertificateNames.Of(Certificate);

    /// <summary>Pairs the chain the server sent (leaf first, RFC 8555 §7.4.2) with the key the CSR was made from.</summary>
    /// <exception cref="CryptographicException">The chain is empty, or its first certificate is not for <paramref name="key"/>.</exception>
    public static AcmeIssuedCertificate FromChain(string chainPem, ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return FromPem(key.ExportPkcs8PrivateKeyPem() + "\n" + chainPem);
    }

    /// <summary>Reads the PEM text of <see cref="ToPem"/>.</summary>
    /// <exception cref="CryptographicException">No certificate, no key, or a key of another certificate.</exception>
    public static AcmeIssuedCertificate FromPem(string pem)
    {
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(pem);
        if (chain.Count == 0)
        {
            throw new CryptographicException("The PEM holds no certificate.");
        }

        // CreateFromPem pairs the first certificate with the key and throws when they do not match.
        using var withKey = X509Certificate2.CreateFromPem(pem, pem);

        // An ephemeral PEM key is not usable by every TLS stack (Windows SChannel); a PKCS#12 round trip is.
        var leaf = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), password: null);
        var intermediates = new X509Certificate2Collection();
        foreach (var certificate in chain.Skip(1))
        {
            intermediates.Add(certificate);
        }

        return new AcmeIssuedCertificate(leaf, intermediates);
    }

    /// <summary>The key (PKCS#8), then the leaf and the intermediates.</summary>
    public string ToPem()
    {
        using var key = Certificate.GetECDsaPrivateKey() ?? throw new CryptographicException("The certificate has no ECDSA private key.");
        var text = new StringBuilder();
        text.Append(key.ExportPkcs8PrivateKeyPem()).Append('\n');
        text.Append(Certificate.ExportCertificatePem()).Append('\n');
        foreach (var intermediate in Intermediates)
        {
            text.Append(intermediate.ExportCertificatePem()).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Whether the certificate serves every one of <paramref name="names"/> by exact name.</summary>
    public bool Covers(IEnumerable<string> names)
    {
        var served = Names.ToHashSet(StringComparer.Ordinal);
        return names.All(name => CertificateNames.Normalize(name) is { } normal && served.Contains(normal));
    }
}
