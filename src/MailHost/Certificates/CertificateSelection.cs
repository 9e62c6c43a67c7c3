namespace MailHost.Certificates;

/// <summary>
/// An immutable index of the certificates served at one moment, answering which one a client asking for a server name
/// gets: exact name first, then a wildcard covering it, then the default (RFC 6066 §3: a server that does not
/// recognise the name may go on with a certificate of its choice rather than fail the handshake).
/// </summary>
internal sealed class CertificateSelection
{
    private readonly Dictionary<string, CertificateEntry> _exact = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CertificateEntry> _wildcards = new(StringComparer.Ordinal);

    /// <summary>Indexes <paramref name="entries"/>; a name two certificates claim goes to the first in order.</summary>
    /// <param name="entries">In priority order: registered and configured entries by name, the default last.</param>
    /// <param name="fallback">The certificate for a client that sent no name or one none of them serves.</param>
    private CertificateSelection(IReadOnlyList<CertificateEntry> entries, CertificateEntry? fallback)
    {
        Entries = entries;
        Default = fallback;
        foreach (var entry in entries)
        {
            foreach (var name in entry.DnsNames)
            {
                if (CertificateNames.IsWildcard(name, out var domain))
                {
                    _wildcards.TryAdd(domain, entry);
                }
                else
                {
                    _exact.TryAdd(name, entry);
                }
            }
        }
    }

    public static CertificateSelection Empty { get; } = new([], null);

    /// <summary>Every certificate served, the default included.</summary>
    public IReadOnlyList<CertificateEntry> Entries { get; }

    public CertificateEntry? Default { get; }

    /// <summary>
    /// Indexes <paramref name="entries"/>. The default is the entry named <paramref name="defaultName"/>, or without one
    /// the first by name, so that a host configured with named certificates only still answers clients without SNI.
    /// A generated self-signed default is the last resort: once a real certificate is there (one an ACME client
    /// registered), clients without SNI get that one instead of a certificate no client trusts.
    /// </summary>
    public static CertificateSelection Build(IEnumerable<CertificateEntry> entries, string defaultName)
    {
        var ordered = entries
            .OrderBy(e => e.Name == defaultName)
            .ThenBy(e => e.Name, StringComparer.Ordinal)
            .ToArray();
        var named = ordered.FirstOrDefault(e => e.Name == defaultName);
        var fallback = named is { Origin: not CertificateEntry.GeneratedOrigin }
            ? named
            : ordered.FirstOrDefault(e => e.Name != defaultName) ?? named;
        return new CertificateSelection(ordered, fallback);
    }

    /// <summary>The certificate for <paramref name="serverName"/> as the client sent it in its ClientHello (null: none).</summary>
    public CertificateEntry? Select(string? serverName)
    {
        if (CertificateNames.Normalize(serverName) is not { } name)
        {
            return Default;
        }

        if (_exact.TryGetValue(name, out var exact))
        {
            return exact;
        }

        if (CertificateNames.WildcardDomainOf(name) is { } domain && _wildcards.TryGetValue(domain, out var wildcard))
        {
            return wildcard;
        }

        return Default;
    }
}
