namespace MailHost.Imap;

/// <summary>
/// LIST/LSUB pattern matching (RFC 9051 §6.3.9): <c>*</c> matches anything, <c>%</c> anything but the hierarchy
/// delimiter. A dynamic-programming matcher, linear in name times pattern, never a regex (SECURITY C6, T13); and which
/// names a LIST or LSUB returns.
/// </summary>
internal static class ImapListMatcher
{
    /// <summary>Whether <paramref name="name"/> matches <paramref name="pattern"/>; INBOX as first level matches in any case.</summary>
    public static bool Matches(string name, string pattern, char delimiter) => Matches(name, pattern, delimiter, out _);

    /// <summary>
    /// <see cref="Matches(string, string, char)"/>, also telling how many table cells were computed: the work done,
    /// which the tests bound by name times pattern length instead of timing a hostile pattern on a busy machine.
    /// </summary>
    public static bool Matches(string name, string pattern, char delimiter, out long cells)
    {
        pattern = CanonicalInbox(pattern, delimiter);
        cells = 0;

        // row[j]: pattern[..i] matches name[..j].
        var row = name.Length < 512 ? stackalloc bool[name.Length + 1] : new bool[name.Length + 1];
        row.Clear();
        row[0] = true;
        foreach (var p in pattern)
        {
            cells += name.Length;
            if (p == '*')
            {
                for (var j = 1; j <= name.Length; j++)
                {
                    row[j] |= row[j - 1];
                }
            }
            else if (p == '%')
            {
                for (var j = 1; j <= name.Length; j++)
                {
                    row[j] |= row[j - 1] && name[j - 1] != delimiter;
                }
            }
            else
            {
                for (var j = name.Length; j >= 1; j--)
                {
                    row[j] = row[j - 1] && name[j - 1] == p;
                }

                row[0] = false;
            }
        }

        return row[name.Length];
    }

    /// <summary>
    /// The names a LIST or LSUB returns, in ordinal order, each once however many patterns it matches (RFC 5258 §3),
    /// with whether it carries <c>CHILDINFO</c>. <paramref name="selected"/> are the names that meet the selection
    /// criteria; each that matches a pattern is returned. With <paramref name="recursiveMatch"/>, a selected name that
    /// matches no pattern makes each superior name that does match stand for it (RFC 5258 §3.1 RECURSIVEMATCH; RFC 3501
    /// §6.3.9 for LSUB with "%"): that superior is returned with CHILDINFO, also when it is selected itself (RFC 5258
    /// §5 examples 8 A1 and 9: a subscribed "Foo" or "eps2" with an unlisted subscribed child). A selected child that
    /// the patterns list in its own right needs no one to stand for it (example 9: "baz2" is not returned).
    /// </summary>
    public static List<(string Name, bool ChildInfo)> Find(IEnumerable<string> selected, IReadOnlyList<string> patterns, bool recursiveMatch, char delimiter)
    {
        ArgumentNullException.ThrowIfNull(selected);
        ArgumentNullException.ThrowIfNull(patterns);
        bool AnyMatches(string name)
        {
            foreach (var pattern in patterns)
            {
                if (Matches(name, pattern, delimiter))
                {
                    return true;
                }
            }

            return false;
        }

        var found = new SortedDictionary<string, bool>(StringComparer.Ordinal);
        foreach (var name in selected)
        {
            if (AnyMatches(name))
            {
                found.TryAdd(name, false);
                continue;
            }

            if (!recursiveMatch)
            {
                continue;
            }

            for (var i = name.IndexOf(delimiter, StringComparison.Ordinal); i > 0; i = name.IndexOf(delimiter, i + 1))
            {
                var superior = name[..i];
                if (AnyMatches(superior))
                {
                    found[superior] = true;
                }
            }
        }

        return [.. found.Select(f => (f.Key, f.Value))];
    }

    /// <summary>Spells a first level INBOX (in any case) as <c>INBOX</c>.</summary>
    public static string CanonicalInbox(string pattern, char delimiter)
    {
        // RFC 9051 §5.1: INBOX is case-insensitive; so is a pattern's first level that spells it.
        if (pattern.Length >= 5 && pattern.StartsWith("INBOX", StringComparison.OrdinalIgnoreCase)
            && (pattern.Length == 5 || pattern[5] == delimiter) && !pattern.StartsWith("INBOX", StringComparison.Ordinal))
        {
            return "INBOX" + pattern[5..];
        }

        return pattern;
    }
}
