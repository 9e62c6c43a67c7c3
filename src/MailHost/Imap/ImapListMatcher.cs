namespace MailHost.Imap;

/// <summary>
/// LIST/LSUB pattern matching (RFC 9051 §6.3.9): <c>*</c> matches anything, <c>%</c> anything but the hierarchy
/// delimiter. A dynamic-programming matcher, linear in name times pattern, never a regex (SECURITY C6, T13).
/// </summary>
internal static class ImapListMatcher
{
    /// <summary>Whether <paramref name="name"/> matches <paramref name="pattern"/>; INBOX as first level matches in any case.</summary>
    public static bool Matches(string name, string pattern, char delimiter)
    {
        pattern = CanonicalInbox(pattern, delimiter);

        // row[j]: pattern[..i] matches name[..j].
        Span<bool> row = name.Length < 512 ? stackalloc bool[name.Length + 1] : new bool[name.Length + 1];
        row.Clear();
        row[0] = true;
        foreach (var p in pattern)
        {
            if (p == '*')
            {
                for (int j = 1; j <= name.Length; j++)
                {
                    row[j] |= row[j - 1];
                }
            }
            else if (p == '%')
            {
                for (int j = 1; j <= name.Length; j++)
                {
                    row[j] |= row[j - 1] && name[j - 1] != delimiter;
                }
            }
            else
            {
                for (int j = name.Length; j >= 1; j--)
                {
                    row[j] = row[j - 1] && name[j - 1] == p;
                }

                row[0] = false;
            }
        }

        return row[name.Length];
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
