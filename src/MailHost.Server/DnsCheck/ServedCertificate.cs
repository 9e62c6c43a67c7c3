using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailHost.Server.DnsCheck;

/// <summary>
/// The certificate the endpoints serve to a client that asks for the Hostname: a certificate, a reason it cannot be
/// read, or neither (no certificate configured: the host generates a self-signed one).
/// </summary>
internal sealed record ServedCertificate(X509Certificate2? Certificate, string? Problem)
{
    private const string DefaultKey = "MailHost:Certificate";
    private const string ByNameKey = "MailHost:Certificates";

    /// <summary>No certificate configured.</summary>
    public static ServedCertificate Generated { get; } = new(null, null);

    /// <summary>
    /// Reads the configured certificates the way the host chooses among them: the one of <c>MailHost:Certificate</c>
    /// and <c>MailHost:Certificates:&lt;name&gt;</c> whose names cover <paramref name="hostname"/> (SNI, RFC 6066 §3),
    /// otherwise the default (<c>MailHost:Certificate</c>, else the first by name). Only the public certificate is
    /// needed, so private keys are not loaded.
    /// </summary>
    public static ServedCertificate Load(IConfiguration configuration, string hostname)
    {
        var sections = new[] { configuration.GetSection(DefaultKey) }
            .Concat(configuration.GetSection(ByNameKey).GetChildren())
            .Where(s => !string.IsNullOrWhiteSpace(s["Path"]))
            .ToList();
        if (sections.Count == 0)
        {
            return Generated;
        }

        var loaded = sections.Select(LoadOne).ToList();
        var chosen = loaded.FirstOrDefault(c => c.Certificate?.MatchesHostname(hostname, allowWildcards: true, allowCommonName: false) == true) ?? loaded[0];
        foreach (var other in loaded.Where(c => c != chosen))
        {
            other.Certificate?.Dispose();
        }

        return chosen;
    }

    /// <summary>A PEM certificate when a key path is given, otherwise a PFX, as the host reads them.</summary>
    private static ServedCertificate LoadOne(IConfigurationSection section)
    {
        var path = section["Path"];
        if (!File.Exists(path))
        {
            return new ServedCertificate(null, $"{section.Path}:Path: the file '{path}' does not exist");
        }

        try
        {
            var certificate = string.IsNullOrWhiteSpace(section["KeyPath"])
                ? X509CertificateLoader.LoadPkcs12FromFile(path, section["Password"])
                : X509Certificate2.CreateFromPem(File.ReadAllText(path));
            return new ServedCertificate(certificate, null);
        }
        catch (CryptographicException ex)
        {
            return new ServedCertificate(null, $"{section.Path}:Path: cannot read '{path}' ({ex.Message})");
        }
    }
}
