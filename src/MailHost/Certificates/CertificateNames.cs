using System.Security.Cryptography.X509Certificates;

namespace MailHost.Certificates;

/// <summary>
/// The DNS names a certificate serves and how a requested server name is compared with them (RFC 6125 §6.4).
/// </summary>
internal static class CertificateNames
{
    /// <summary>
    /// The DNS names of the certificate's subject alternative name extension, normalised. RFC 6125 §6.4.4: only a
    /// certificate without any DNS name there is matched by its subject common name.
    /// </summary>
    public static IReadOnlyList<string> Of(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var names = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension alternativeNames)
            {
                names.AddRange(alternativeNames.EnumerateDnsNames().Select(Normalize).OfType<string>());
            }
        }

        if (names.Count == 0 && Normalize(certificate.GetNameInfo(X509NameType.DnsName, forIssuer: false)) is { } commonName)
        {
            names.Add(commonName);
        }

        return names.Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>
    /// A name in the form both sides are compared in: lower case (DNS names compare case-insensitively, RFC 4343) and
    /// without a trailing dot; null for an empty name. RFC 6066 §3 sends the name as ASCII (A-labels), so no IDN
    /// conversion is needed.
    /// </summary>
    public static string? Normalize(string? name)
    {
        var trimmed = name?.Trim().TrimEnd('.');
        return string.IsNullOrEmpty(trimmed) ? null : trimmed.ToLowerInvariant();
    }

    /// <summary>
    /// Whether <paramref name="name"/> (normalised) is a wildcard this server honours, and the domain it covers:
    /// <c>*.example.com</c> covers the names one label below <c>example.com</c>. RFC 6125 §6.4.3 lets the wildcard be the
    /// whole left-most label only; partial wildcards (<c>m*.example.com</c>) and wildcards directly under a top-level
    /// domain (<c>*.com</c>) are not honoured.
    /// </summary>
    public static bool IsWildcard(string name, out string coveredDomain)
    {
        coveredDomain = "";
        if (!name.StartsWith("*.", StringComparison.Ordinal))
        {
            return false;
        }

        var domain = name[2..];
        if (domain.Contains('*', StringComparison.Ordinal) || !domain.Contains('.', StringComparison.Ordinal))
        {
            return false;
        }

        coveredDomain = domain;
        return true;
    }

    /// <summary>
    /// The domain a wildcard would have to cover to match <paramref name="serverName"/> (normalised): the name without
    /// its left-most label; null when the name has a single label, which no wildcard matches (RFC 6125 §6.4.3).
    /// </summary>
    public static string? WildcardDomainOf(string serverName)
    {
        var dot = serverName.IndexOf('.', StringComparison.Ordinal);
        return dot <= 0 || dot == serverName.Length - 1 ? null : serverName[(dot + 1)..];
    }
}
