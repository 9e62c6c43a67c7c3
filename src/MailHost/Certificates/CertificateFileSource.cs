using MailHost.Hosting;

namespace MailHost.Certificates;

/// <summary>One configured certificate: its name in the store, the configuration key it came from, and its files.</summary>
/// <param name="Name"><see cref="IServerCertificateRegistry.DefaultName"/> for <c>MailHost:Certificate</c>, else the entry's key under <c>MailHost:Certificates</c>.</param>
/// <param name="ConfigurationKey">E.g. <c>MailHost:Certificates:b</c>, for error messages.</param>
/// <param name="Options">Path, KeyPath and Password.</param>
internal sealed record CertificateFileSource(string Name, string ConfigurationKey, MailCertificateOptions Options)
{
    /// <summary>The key under <c>MailHost:Certificates</c> that holds the ACME settings, so no certificate entry may be called so.</summary>
    public const string AcmeSectionKey = "Acme";

    /// <summary>The configured certificate sources in <paramref name="options"/>: the default first, if set.</summary>
    /// <exception cref="MailHostConfigurationException">An entry has no Path, or is named like the default.</exception>
    public static IReadOnlyList<CertificateFileSource> From(MailHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var sources = new List<CertificateFileSource>();
        if (!string.IsNullOrWhiteSpace(options.Certificate.Path))
        {
            sources.Add(new(IServerCertificateRegistry.DefaultName, MailHostOptions.SectionName + ":Certificate", options.Certificate));
        }

        foreach (var (name, entry) in options.Certificates.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            // MailHost:Certificates:Acme configures the ACME client (Acme.AcmeOptions), not a certificate file.
            if (string.Equals(name, AcmeSectionKey, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var key = $"{MailHostOptions.SectionName}:Certificates:{name}";
            if (string.Equals(name, IServerCertificateRegistry.DefaultName, StringComparison.OrdinalIgnoreCase))
            {
                throw MailHostConfigurationException.For(key, $"the name '{name}' is reserved for the default certificate. Configure that one as MailHost:Certificate, or choose another name.");
            }

            if (string.IsNullOrWhiteSpace(entry.Path))
            {
                throw MailHostConfigurationException.For(key + ":Path", "is missing. Give a PEM certificate (with KeyPath) or a PFX file (with Password).");
            }

            sources.Add(new(name, key, entry));
        }

        return sources;
    }
}
