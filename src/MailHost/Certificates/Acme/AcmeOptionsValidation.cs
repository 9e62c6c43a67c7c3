using MailHost.Hosting;

namespace MailHost.Certificates.Acme;

/// <summary>
/// Checks <c>MailHost:Certificates:Acme</c> before anything starts, so a mistake stops the host with the key named
/// instead of failing orders against the ACME server's rate limits later.
/// </summary>
internal static class AcmeOptionsValidation
{
    private const string Section = AcmeOptions.SectionName;

    /// <summary>The names to ask for: <see cref="AcmeOptions.Names"/>, or <paramref name="hostname"/> when none are given.</summary>
    /// <exception cref="MailHostConfigurationException">A setting is unusable; the message names it and the fix.</exception>
    public static IReadOnlyList<string> Validate(AcmeOptions options, string hostname)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.AcceptTermsOfService)
        {
            throw MailHostConfigurationException.For(
                Section + ":AcceptTermsOfService",
                $"must be true. Read the terms of service of the ACME server ({options.DirectoryUrl}; for Let's Encrypt, https://letsencrypt.org/repository/) and set it to true to agree to them.");
        }

        if (!Uri.TryCreate(options.DirectoryUrl, UriKind.Absolute, out var directory) || directory.Scheme != Uri.UriSchemeHttps)
        {
            // RFC 8555 §6.1: ACME is served over HTTPS only.
            throw MailHostConfigurationException.For(Section + ":DirectoryUrl", $"'{options.DirectoryUrl}' is not an https:// URL. Use the ACME server's directory URL, e.g. {AcmeOptions.LetsEncryptDirectoryUrl}.");
        }

        if (options.Email is { } email && (email.Trim().Length == 0 || !email.Contains('@', StringComparison.Ordinal) || email.Any(char.IsWhiteSpace)))
        {
            throw MailHostConfigurationException.For(Section + ":Email", $"'{email}' is not an e-mail address. Give the address the ACME server may write to about the account, or remove the setting.");
        }

        var names = Names(options, hostname);
        if (options.Challenge == AcmeChallengeType.Dns01 && options.DnsHook is { } hook && !File.Exists(hook))
        {
            throw MailHostConfigurationException.For(Section + ":DnsHook", $"the script '{hook}' does not exist. Give the full path of an executable script (called as: SCRIPT set|clear _acme-challenge.NAME VALUE).");
        }

        if (options.DirectoryCertificate is { } root && !File.Exists(root))
        {
            throw MailHostConfigurationException.For(Section + ":DirectoryCertificate", $"the file '{root}' does not exist. This setting is for test ACME servers only; remove it for a public one.");
        }

        return names;
    }

    private static string[] Names(AcmeOptions options, string hostname)
    {
        const string Key = Section + ":Names";
        var configured = options.Names.Count > 0;
        var names = (configured ? options.Names : [hostname]).Select(n => n?.Trim().TrimEnd('.').ToLowerInvariant() ?? "").ToList();
        foreach (var name in names)
        {
            var bare = name.StartsWith("*.", StringComparison.Ordinal) ? name[2..] : name;
            if (name.Length == 0 || Uri.CheckHostName(bare) != UriHostNameType.Dns || !bare.Contains('.', StringComparison.Ordinal))
            {
                var problem = configured
                    ? $"'{name}' is not a DNS name the ACME server can issue for. List the host's public names, e.g. [\"mail.example.com\"]."
                    : $"is empty, and MailHost:Hostname ('{hostname}') is not a public DNS name. Set MailHost:Hostname to the host's public name, or list the names here.";
                throw MailHostConfigurationException.For(Key, problem);
            }

            if (bare != name && options.Challenge != AcmeChallengeType.Dns01)
            {
                // RFC 8555 §7.1.3 and RFC 8737 §3: a wildcard is proven through DNS only.
                throw MailHostConfigurationException.For(Key, $"'{name}' is a wildcard, which only the Dns01 challenge can prove. Set {Section}:Challenge to Dns01, or list the names one by one.");
            }
        }

        return names.Distinct(StringComparer.Ordinal).ToArray();
    }
}
