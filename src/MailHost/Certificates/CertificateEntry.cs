using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace MailHost.Certificates;

/// <summary>
/// One certificate ready to serve: the certificate with its key, the chain sent after it, the names it serves, and the
/// <see cref="SslStreamCertificateContext"/> built once for every handshake that uses it.
/// </summary>
internal sealed class CertificateEntry
{
    private CertificateEntry(string name, string origin, X509Certificate2 certificate, SslStreamCertificateContext context)
    {
        Name = name;
        Origin = origin;
        Certificate = certificate;
        Context = context;
        DnsNames = CertificateNames.Of(certificate);
    }

    /// <summary>Whose certificate this is: <see cref="IServerCertificateRegistry.DefaultName"/>, a configuration entry's key, or a registry user's name.</summary>
    public string Name { get; }

    /// <summary>The <see cref="Origin"/> of the self-signed certificate generated when none is configured.</summary>
    public const string GeneratedOrigin = "generated";

    /// <summary>Where it came from, for logs: a file path, or <see cref="GeneratedOrigin"/>, or "registry".</summary>
    public string Origin { get; }

    public X509Certificate2 Certificate { get; }

    public SslStreamCertificateContext Context { get; }

    /// <summary>The normalised DNS names it serves (<see cref="CertificateNames.Of"/>).</summary>
    public IReadOnlyList<string> DnsNames { get; }

    public DateTimeOffset NotAfter => new(Certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);

    /// <summary>Builds an entry; the chain is built offline: a server must not wait on the network in a handshake.</summary>
    public static CertificateEntry Create(string name, string origin, X509Certificate2 certificate, X509Certificate2Collection? intermediates)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(certificate);
        var context = SslStreamCertificateContext.Create(certificate, intermediates, offline: true);
        return new CertificateEntry(name, origin, certificate, context);
    }

    /// <summary>"CN=mail.example.com, names mail.example.com,*.example.com, SHA-1 ..., expires ..." for logs.</summary>
    public override string ToString() =>
        $"{Certificate.Subject} (names {string.Join(",", DnsNames)}; thumbprint {Certificate.Thumbprint}; expires {NotAfter:u})";
}
