using System.Text;

namespace MailHost.Imap;

/// <summary>
/// The base subject of RFC 5256 §2.1, used by SORT SUBJECT and both THREAD algorithms: reply and forward markers,
/// leading <c>[blobs]</c>, trailing <c>(fwd)</c> and <c>[fwd: ...]</c> wrappers removed, white space collapsed.
/// Compared case-insensitively (i;unicode-casemap), so the result is upper-cased.
/// </summary>
internal static class ImapBaseSubject
{
    public static string Extract(string? subject) => Extract(subject, out _);

    /// <summary>The base subject, and whether extracting it removed a reply or forward marker.</summary>
    /// <param name="subject">The Subject header value as sent (encoded-words kept).</param>
    /// <param name="isReplyOrForward">
    /// RFC 5256 §2.2: whether a <c>subj-refwd</c>, a <c>(fwd)</c> trailer, or a <c>[fwd: ...]</c> wrapper was removed;
    /// a leading <c>[blob]</c> alone does not count.
    /// </param>
    public static string Extract(string? subject, out bool isReplyOrForward)
    {
        isReplyOrForward = false;
        if (string.IsNullOrEmpty(subject))
        {
            return "";
        }

        // Step 1: decode RFC 2047 words and collapse white space.
        var text = MimeKit.Utils.Rfc2047.DecodeText(Encoding.UTF8.GetBytes(subject));
        var collapsed = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                if (collapsed.Length > 0 && collapsed[^1] != ' ')
                {
                    collapsed.Append(' ');
                }
            }
            else
            {
                collapsed.Append(c);
            }
        }

        var s = collapsed.ToString().Trim();
        while (true)
        {
            var before = s;

            // Step 2: subj-trailer "(fwd)".
            while (s.EndsWith("(fwd)", StringComparison.OrdinalIgnoreCase))
            {
                s = s[..^5].TrimEnd();
                isReplyOrForward = true;
            }

            // Steps 3-5: subj-leader (blobs and re/fw/fwd markers), repeated.
            while (true)
            {
                var leader = s;
                var stripped = StripRefwd(s);
                isReplyOrForward |= stripped.Length != s.Length;
                s = stripped;
                if (s.StartsWith('[') && s.IndexOf(']', StringComparison.Ordinal) is var close and > 0 && close + 1 < s.Length
                    && s[(close + 1)..].Trim().Length > 0)
                {
                    s = s[(close + 1)..].TrimStart();
                }

                if (s == leader)
                {
                    break;
                }
            }

            // Step 6: "[fwd:" ... "]".
            if (s.StartsWith("[fwd:", StringComparison.OrdinalIgnoreCase) && s.EndsWith(']'))
            {
                s = s[5..^1].Trim();
                isReplyOrForward = true;
            }

            if (s == before)
            {
                return s.ToUpperInvariant();
            }
        }
    }

    private static string StripRefwd(string s)
    {
        // subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"
        int i;
        if (s.StartsWith("re", StringComparison.OrdinalIgnoreCase))
        {
            i = 2;
        }
        else if (s.StartsWith("fwd", StringComparison.OrdinalIgnoreCase))
        {
            i = 3;
        }
        else if (s.StartsWith("fw", StringComparison.OrdinalIgnoreCase))
        {
            i = 2;
        }
        else
        {
            return s;
        }

        while (i < s.Length && s[i] == ' ')
        {
            i++;
        }

        if (i < s.Length && s[i] == '[')
        {
            int close = s.IndexOf(']', i);
            if (close < 0)
            {
                return s;
            }

            i = close + 1;
        }

        return i < s.Length && s[i] == ':' ? s[(i + 1)..].TrimStart() : s;
    }
}
