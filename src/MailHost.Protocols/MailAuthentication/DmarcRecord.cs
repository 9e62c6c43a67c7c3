using System.Globalization;

namespace MailHost.Protocols.MailAuthentication;

/// <summary>
/// A DMARC policy record (RFC 7489 §6.3, ABNF §6.4). <c>v=DMARC1</c> must be the first tag. Invalid values of
/// optional tags fall back to their defaults, as §6.3 asks ("syntax errors in the remainder of the record SHOULD be
/// discarded in favor of default values"); <c>rua</c> and <c>ruf</c> are parsed, but this server sends no reports.
/// </summary>
public sealed record DmarcRecord
{
    /// <summary>The requested policy (<c>p=</c>); <see langword="null"/> when missing or invalid (see <see cref="TryParse"/>).</summary>
    public DmarcPolicy? Policy { get; init; }

    /// <summary>The subdomain policy (<c>sp=</c>), or <see langword="null"/> (then <see cref="Policy"/> applies).</summary>
    public DmarcPolicy? SubdomainPolicy { get; init; }

    /// <summary>DKIM alignment (<c>adkim=</c>).</summary>
    public DmarcAlignmentMode DkimAlignment { get; init; }

    /// <summary>SPF alignment (<c>aspf=</c>).</summary>
    public DmarcAlignmentMode SpfAlignment { get; init; }

    /// <summary>The percentage of failing messages the policy applies to (<c>pct=</c>, 0 to 100; 100 by default).</summary>
    public int Percent { get; init; } = 100;

    /// <summary>Aggregate report URIs (<c>rua=</c>), syntactically valid ones only.</summary>
    public IReadOnlyList<string> AggregateReportUris { get; init; } = [];

    /// <summary>Failure report URIs (<c>ruf=</c>), syntactically valid ones only.</summary>
    public IReadOnlyList<string> FailureReportUris { get; init; } = [];

    /// <summary>Failure reporting options (<c>fo=</c>); <c>0</c> by default.</summary>
    public string FailureOptions { get; init; } = "0";

    /// <summary>The aggregate report interval in seconds (<c>ri=</c>); 86400 by default.</summary>
    public long ReportInterval { get; init; } = 86400;

    /// <summary>Record selection (§6.6.3): whether a TXT string starts with <c>v=DMARC1</c> (white space allowed around <c>=</c>).</summary>
    public static bool IsDmarcRecord(string? txt)
    {
        if (txt is null)
        {
            return false;
        }

        var span = txt.AsSpan().TrimStart(" \t");
        if (span.IsEmpty || span[0] != 'v')
        {
            return false;
        }

        span = span[1..].TrimStart(" \t");
        if (span.IsEmpty || span[0] != '=')
        {
            return false;
        }

        span = span[1..].TrimStart(" \t");

        // dmarc-version = "v" *WSP "=" *WSP %x44 %x4d %x41 %x52 %x43 %x31: the version is case-sensitive.
        if (!span.StartsWith("DMARC1", StringComparison.Ordinal))
        {
            return false;
        }

        var after = span[6..].TrimStart(" \t");
        return after.IsEmpty || after[0] == ';';
    }

    /// <summary>
    /// Parses a record that <see cref="IsDmarcRecord"/> selected. A missing or invalid <c>p=</c> (or an invalid
    /// <c>sp=</c>) with at least one valid <c>rua</c> URI reads as <c>p=none</c> (§6.6.3 step 6); without one the
    /// record is unusable and the method returns <see langword="false"/>.
    /// </summary>
    public static bool TryParse(string txt, out DmarcRecord? record, out string? error)
    {
        ArgumentNullException.ThrowIfNull(txt);
        record = null;
        if (!IsDmarcRecord(txt))
        {
            error = "not a DMARC1 record";
            return false;
        }

        var tags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var spec in txt.Split(';'))
        {
            var equals = spec.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                // An empty spec (a trailing ';') or junk between separators: a syntax error in the remainder, ignored.
                continue;
            }

            var name = spec[..equals].Trim(' ', '\t');
            var value = spec[(equals + 1)..].Trim(' ', '\t');
            tags.TryAdd(name, value);
        }

        var rua = ParseUris(tags.GetValueOrDefault("rua"));
        var policy = ParsePolicy(tags.GetValueOrDefault("p"));
        var subdomainPolicy = ParsePolicy(tags.GetValueOrDefault("sp"));
        var spInvalid = tags.ContainsKey("sp") && subdomainPolicy is null;
        if (policy is null || spInvalid)
        {
            if (rua.Count == 0)
            {
                error = policy is null ? "p= is missing or invalid" : "sp= is invalid";
                return false;
            }

            // §6.6.3: "act as if a record containing a valid "v" tag and "p=none" was retrieved".
            policy = DmarcPolicy.None;
            subdomainPolicy = null;
        }

        var percent = 100;
        if (tags.TryGetValue("pct", out var pct)
            && (!int.TryParse(pct, NumberStyles.None, CultureInfo.InvariantCulture, out percent) || percent > 100))
        {
            percent = 100;
        }

        var interval = 86400L;
        if (tags.TryGetValue("ri", out var ri) && !long.TryParse(ri, NumberStyles.None, CultureInfo.InvariantCulture, out interval))
        {
            interval = 86400;
        }

        record = new DmarcRecord
        {
            Policy = policy,
            SubdomainPolicy = subdomainPolicy,
            DkimAlignment = ParseAlignment(tags.GetValueOrDefault("adkim")),
            SpfAlignment = ParseAlignment(tags.GetValueOrDefault("aspf")),
            Percent = percent,
            AggregateReportUris = rua,
            FailureReportUris = ParseUris(tags.GetValueOrDefault("ruf")),
            FailureOptions = tags.GetValueOrDefault("fo") is { Length: > 0 } fo ? fo : "0",
            ReportInterval = interval,
        };
        error = null;
        return true;
    }

    private static DmarcPolicy? ParsePolicy(string? value) => value?.ToLowerInvariant() switch
    {
        "none" => DmarcPolicy.None,
        "quarantine" => DmarcPolicy.Quarantine,
        "reject" => DmarcPolicy.Reject,
        _ => null,
    };

    private static DmarcAlignmentMode ParseAlignment(string? value)
        => value is "s" or "S" ? DmarcAlignmentMode.Strict : DmarcAlignmentMode.Relaxed;

    /// <summary>dmarc-uri = URI [ "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] ], comma-separated (§6.4).</summary>
    private static List<string> ParseUris(string? value)
    {
        var uris = new List<string>();
        if (string.IsNullOrEmpty(value))
        {
            return uris;
        }

        foreach (var item in value.Split(','))
        {
            var text = item.Trim(' ', '\t');
            var bang = text.IndexOf('!', StringComparison.Ordinal);
            var uri = bang < 0 ? text : text[..bang];
            if (bang >= 0)
            {
                var size = text.AsSpan(bang + 1);
                if (size.Length > 0 && size[^1] is 'k' or 'm' or 'g' or 't' or 'K' or 'M' or 'G' or 'T')
                {
                    size = size[..^1];
                }

                if (size.IsEmpty || size.ContainsAnyExceptInRange('0', '9'))
                {
                    continue;
                }
            }

            if (Uri.TryCreate(uri, UriKind.Absolute, out _))
            {
                uris.Add(uri);
            }
        }

        return uris;
    }
}
