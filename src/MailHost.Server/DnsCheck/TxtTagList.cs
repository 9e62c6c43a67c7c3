namespace MailHost.Server.DnsCheck;

/// <summary>
/// The <c>name=value; name=value</c> records of MTA-STS (RFC 8461 §3.1) and TLS-RPT (RFC 8460 §3): selection by
/// their version tag, and the tags of a selected record.
/// </summary>
internal static class TxtTagList
{
    /// <summary>
    /// Whether <paramref name="txt"/> begins with <paramref name="version"/> (e.g. <c>v=STSv1</c>) followed by the
    /// end or a <c>;</c> (white space allowed before it): the records a sender keeps, all others are discarded.
    /// </summary>
    public static bool HasVersion(string txt, string version)
    {
        if (!txt.StartsWith(version, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = txt.AsSpan(version.Length).TrimStart(" \t");
        return rest.IsEmpty || rest[0] == ';';
    }

    /// <summary>The tags after the version, first occurrence of a name winning; specs without <c>=</c> are skipped.</summary>
    public static Dictionary<string, string> Parse(string txt)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var spec in txt.Split(';'))
        {
            var equals = spec.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                tags.TryAdd(spec[..equals].Trim(' ', '\t'), spec[(equals + 1)..].Trim(' ', '\t'));
            }
        }

        return tags;
    }
}
