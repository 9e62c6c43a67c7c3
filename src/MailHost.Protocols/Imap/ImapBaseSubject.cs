using System.Text;

namespace MailHost.Protocols.Imap;

/// <summary>
/// The base subject of RFC 5256 §2.1, used by SORT SUBJECT and both THREAD algorithms (<see cref="ImapThreader"/>),
/// following its steps and the ABNF of its §5 exactly. Step 1 begins by decoding RFC 2047 encoded-words, which needs
/// a MIME library: the caller does that and hands over the decoded text. Callers compare base subjects with the
/// i;unicode-casemap collation (RFC 5051).
/// </summary>
public static class ImapBaseSubject
{
    /// <summary>The base subject of <paramref name="subject"/>, the Subject text with its encoded-words decoded.</summary>
    public static string Extract(string? subject) => Extract(subject, out _);

    /// <summary>The base subject, and whether extracting it removed a reply or forward marker.</summary>
    /// <param name="subject">The Subject header value, unfolded, with its RFC 2047 encoded-words already decoded.</param>
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

        var s = CollapseWhiteSpace(subject);
        while (true)
        {
            s = RemoveTrailers(s, ref isReplyOrForward);
            s = RemoveLeaders(s, ref isReplyOrForward);

            // Step 6: a "[fwd:" ... "]" wrapper goes, and the inside starts again at step 2.
            if (s.Length >= 6 && StartsWithAscii(s, 0, "[fwd:") && s[^1] == ']')
            {
                s = s[5..^1];
                isReplyOrForward = true;
                continue;
            }

            return s;
        }
    }

    /// <summary>
    /// Step 1 after the caller's decoding: tabs and line breaks (continuations) become spaces, and runs of spaces one space. Only
    /// these count as white space: the ABNF's WSP is space and tab, and other Unicode spaces are subject text.
    /// </summary>
    private static string CollapseWhiteSpace(string text)
    {
        var collapsed = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is ' ' or '\t' or '\r' or '\n')
            {
                if (collapsed.Length == 0 || collapsed[^1] != ' ')
                {
                    collapsed.Append(' ');
                }
            }
            else
            {
                collapsed.Append(c);
            }
        }

        return collapsed.ToString();
    }

    /// <summary>Step 2: <c>subj-trailer = "(fwd)" / WSP</c>, removed from the end until none is left.</summary>
    private static string RemoveTrailers(string s, ref bool isReplyOrForward)
    {
        var end = s.Length;
        while (true)
        {
            if (end > 0 && s[end - 1] == ' ')
            {
                end--;
            }
            else if (end >= 5 && StartsWithAscii(s, end - 5, "(fwd)"))
            {
                end -= 5;
                isReplyOrForward = true;
            }
            else
            {
                return s[..end];
            }
        }
    }

    /// <summary>
    /// Steps 3 to 5: every leading <c>subj-leader</c> goes; then one leading <c>subj-blob</c>, unless that would leave
    /// no <c>subj-base</c>; and again, until neither applies.
    /// </summary>
    private static string RemoveLeaders(string s, ref bool isReplyOrForward)
    {
        var start = 0;
        while (true)
        {
            // Step 3: subj-leader = (*subj-blob subj-refwd) / WSP.
            if (start < s.Length && s[start] == ' ')
            {
                start++;
                continue;
            }

            var i = start;
            while (BlobLength(s, i) is var blob and > 0)
            {
                i += blob;
            }

            if (RefwdLength(s, i) is var refwd and > 0)
            {
                start = i + refwd;
                isReplyOrForward = true;
                continue;
            }

            // Step 4: a subj-blob, if a subj-base (at least one character that is not white space) follows it.
            if (BlobLength(s, start) is var leading and > 0 && HasBase(s, start + leading))
            {
                start += leading;
                continue;
            }

            return s[start..];
        }
    }

    /// <summary>
    /// <c>subj-blob = "[" *BLOBCHAR "]" *WSP</c> at <paramref name="i"/>, where a BLOBCHAR is anything but
    /// <c>[</c> and <c>]</c>; 0 when there is none.
    /// </summary>
    private static int BlobLength(string s, int i)
    {
        if (i >= s.Length || s[i] != '[')
        {
            return 0;
        }

        var close = s.AsSpan(i + 1).IndexOfAny('[', ']');
        if (close < 0 || s[i + 1 + close] != ']')
        {
            return 0;
        }

        var end = i + close + 2;
        while (end < s.Length && s[end] == ' ')
        {
            end++;
        }

        return end - i;
    }

    /// <summary><c>subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"</c> at <paramref name="i"/>; 0 when there is none.</summary>
    private static int RefwdLength(string s, int i)
    {
        var end = i;
        if (StartsWithAscii(s, end, "re"))
        {
            end += 2;
        }
        else if (StartsWithAscii(s, end, "fw"))
        {
            end += StartsWithAscii(s, end, "fwd") ? 3 : 2;
        }
        else
        {
            return 0;
        }

        while (end < s.Length && s[end] == ' ')
        {
            end++;
        }

        end += BlobLength(s, end);
        return end < s.Length && s[end] == ':' ? end + 1 - i : 0;
    }

    private static bool HasBase(string s, int i) => s.AsSpan(i).ContainsAnyExcept(' ');

    /// <summary>ABNF literals are case-insensitive in ASCII only (RFC 5234 §2.3).</summary>
    private static bool StartsWithAscii(string s, int i, string literal)
        => i + literal.Length <= s.Length && Ascii.EqualsIgnoreCase(s.AsSpan(i, literal.Length), literal);
}
