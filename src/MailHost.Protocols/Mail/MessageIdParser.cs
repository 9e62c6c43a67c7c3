using System.Text;

namespace MailHost.Protocols.Mail;

/// <summary>
/// Reads the <c>msg-id</c>s of a Message-ID, In-Reply-To or References header value (RFC 5322 §3.6.4, with the
/// obsolete forms of §4.5.4) into the normalized Message IDs that RFC 5256 §2.2 threading compares.
/// </summary>
/// <remarks>
/// RFC 5256 §2.2: implementations MUST normalize msg-ids so that differences in quoting do not prevent a match:
/// <c>&lt;"01KF8JCEOCBS0045PS"@xxx.yyy.com&gt;</c> and <c>&lt;01KF8JCEOCBS0045PS@xxx.yyy.com&gt;</c> are the same
/// Message ID. The normalized form is <c>id-left "@" id-right</c> without the angle brackets, with comments and
/// folding white space removed, quoted strings unquoted (quoted pairs resolved) and domain literals kept in their
/// brackets. Comparisons of the result are case-sensitive (RFC 5256 §2.2 step 1A). Non-ASCII characters are atom
/// characters (RFC 6532 §3.2). An id that breaks the grammar is invalid and skipped; text between ids that is not
/// an id (phrases such as <c>In-Reply-To: Your message of ...</c>) is skipped as well.
/// </remarks>
public static class MessageIdParser
{
    /// <summary>Every valid Message ID in <paramref name="value"/>, normalized, in order; empty when there is none.</summary>
    public static IReadOnlyList<string> ParseAll(string? value)
    {
        var ids = new List<string>();
        if (string.IsNullOrEmpty(value))
        {
            return ids;
        }

        var i = 0;
        while (NextId(value, ref i) is { } id)
        {
            ids.Add(id);
        }

        return ids;
    }

    /// <summary>The first valid Message ID in <paramref name="value"/>, normalized, or <see langword="null"/>.</summary>
    public static string? ParseFirst(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        var i = 0;
        return NextId(value, ref i);
    }

    private static string? NextId(string s, ref int i)
    {
        var text = new StringBuilder();
        while (i < s.Length)
        {
            // Skip what is not a msg-id; a quoted phrase or a comment may contain '<' that is not an id's start.
            var c = s[i];
            if (c == '(')
            {
                SkipComment(s, ref i);
                continue;
            }

            if (c == '"')
            {
                SkipQuotedString(s, ref i);
                continue;
            }

            if (c != '<')
            {
                i++;
                continue;
            }

            var start = i;
            text.Clear();
            if (TryParseMsgId(s, ref i, text))
            {
                return text.ToString();
            }

            // Invalid: look for the next id after this '<'.
            i = start + 1;
        }

        return null;
    }

    // msg-id = [CFWS] "<" id-left "@" id-right ">" [CFWS]
    private static bool TryParseMsgId(string s, ref int i, StringBuilder id)
    {
        i++;

        // An id-left that normalizes to nothing (an empty quoted string, <""@b>) names no message: not an id.
        var start = id.Length;
        if (!ParseIdLeft(s, ref i, id) || id.Length == start || i >= s.Length || s[i] != '@')
        {
            return false;
        }

        i++;
        id.Append('@');
        if (!ParseIdRight(s, ref i, id))
        {
            return false;
        }

        SkipCfws(s, ref i);
        if (i >= s.Length || s[i] != '>')
        {
            return false;
        }

        i++;
        return true;
    }

    // id-left = dot-atom-text / obs-id-left; obs-id-left = local-part = word *("." word), word = atom / quoted-string.
    private static bool ParseIdLeft(string s, ref int i, StringBuilder id) => ParseDottedWords(s, ref i, id, allowQuoted: true);

    // id-right = dot-atom-text / no-fold-literal / obs-id-right; obs-id-right = domain = dot-atom / domain-literal / obs-domain.
    private static bool ParseIdRight(string s, ref int i, StringBuilder id)
    {
        SkipCfws(s, ref i);
        if (i < s.Length && s[i] == '[')
        {
            return ParseDomainLiteral(s, ref i, id);
        }

        return ParseDottedWords(s, ref i, id, allowQuoted: false);
    }

    // Words separated by dots, each with optional CFWS around it: atoms, and quoted strings where allowed.
    private static bool ParseDottedWords(string s, ref int i, StringBuilder id, bool allowQuoted)
    {
        while (true)
        {
            SkipCfws(s, ref i);
            if (allowQuoted && i < s.Length && s[i] == '"')
            {
                if (!ParseQuotedString(s, ref i, id))
                {
                    return false;
                }
            }
            else if (!ParseAtomText(s, ref i, id))
            {
                return false;
            }

            SkipCfws(s, ref i);
            if (i < s.Length && s[i] == '.')
            {
                id.Append('.');
                i++;
                continue;
            }

            return true;
        }
    }

    private static bool ParseAtomText(string s, ref int i, StringBuilder id)
    {
        var start = i;
        while (i < s.Length && IsAtext(s[i]))
        {
            i++;
        }

        id.Append(s, start, i - start);
        return i > start;
    }

    // quoted-string = [CFWS] DQUOTE *([FWS] qcontent) [FWS] DQUOTE [CFWS]; the content is kept without the quoting.
    private static bool ParseQuotedString(string s, ref int i, StringBuilder id)
    {
        i++;
        while (i < s.Length)
        {
            var c = s[i];
            if (c == '"')
            {
                i++;
                return true;
            }

            if (c == '\\' && i + 1 < s.Length)
            {
                id.Append(s[i + 1]);
                i += 2;
                continue;
            }

            if (c is not ('\r' or '\n'))
            {
                id.Append(c);
            }

            i++;
        }

        return false;
    }

    // domain-literal = [CFWS] "[" *([FWS] dtext) [FWS] "]" [CFWS]; folding white space inside is dropped.
    private static bool ParseDomainLiteral(string s, ref int i, StringBuilder id)
    {
        id.Append('[');
        i++;
        while (i < s.Length)
        {
            var c = s[i];
            if (c == ']')
            {
                id.Append(']');
                i++;
                return true;
            }

            if (c == '[')
            {
                return false;
            }

            if (c == '\\' && i + 1 < s.Length)
            {
                // obs-dtext: quoted-pair.
                id.Append(s[i + 1]);
                i += 2;
                continue;
            }

            if (!IsWhiteSpace(c))
            {
                id.Append(c);
            }

            i++;
        }

        return false;
    }

    private static void SkipCfws(string s, ref int i)
    {
        while (i < s.Length)
        {
            if (IsWhiteSpace(s[i]))
            {
                i++;
            }
            else if (s[i] == '(')
            {
                SkipComment(s, ref i);
            }
            else
            {
                return;
            }
        }
    }

    // comment = "(" *([FWS] ccontent) [FWS] ")"; comments nest. Counted, not recursed, so depth costs no stack.
    private static void SkipComment(string s, ref int i)
    {
        var depth = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (c == '\\')
            {
                i += 2;
                continue;
            }

            i++;
            if (c == '(')
            {
                depth++;
            }
            else if (c == ')' && --depth == 0)
            {
                return;
            }
        }

        i = s.Length;
    }

    private static void SkipQuotedString(string s, ref int i)
    {
        i++;
        while (i < s.Length)
        {
            var c = s[i];
            if (c == '\\')
            {
                i += 2;
                continue;
            }

            i++;
            if (c == '"')
            {
                return;
            }
        }

        i = s.Length;
    }

    private static bool IsWhiteSpace(char c) => c is ' ' or '\t' or '\r' or '\n';

    // RFC 5322 §3.2.3 atext, plus RFC 6532 §3.2 UTF8-non-ascii.
    private static bool IsAtext(char c) => c switch
    {
        >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' => true,
        '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '/' or '=' or '?' or '^' or '_' or '`' or '{' or '|' or '}' or '~' => true,
        _ => c >= 0x80,
    };
}
