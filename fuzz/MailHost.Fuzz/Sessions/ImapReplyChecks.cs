using System.Text;

namespace MailHost.Fuzz.Sessions;

/// <summary>
/// Reads an IMAP server's output (RFC 9051 §7, §9: response lines with literals inside) and checks its form: every line
/// ends with CRLF; outside literals no bare CR, LF or NUL; a literal's announced size is what follows; the first token
/// is <c>*</c>, <c>+</c> or a valid tag; in data responses every string the client could have chosen (mailbox names,
/// keywords, header values) is an atom only when atom characters suffice, else a quoted string or a literal
/// (SECURITY E3), and every quoted string is well formed.
/// </summary>
internal static class ImapReplyChecks
{
    /// <summary>Stands for a literal's bytes in a line; a control character, so never valid elsewhere.</summary>
    private const char Literal = '\u0001';

    /// <summary>The data responses whose structure is checked; other lines (OK, NO, BAD, BYE, tagged) are free text.</summary>
    private static readonly HashSet<string> Structured = new(StringComparer.OrdinalIgnoreCase)
    {
        "LIST", "LSUB", "STATUS", "FETCH", "SEARCH", "ESEARCH", "SORT", "THREAD", "FLAGS", "NAMESPACE", "ID", "ENABLED",
        "QUOTA", "QUOTAROOT", "EXISTS", "RECENT", "EXPUNGE", "VANISHED", "CAPABILITY",
    };

    /// <summary>Returns the response lines, literals replaced by one <see cref="Literal"/> character each.</summary>
    public static List<string> Check(byte[] output)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        var i = 0;
        while (i < output.Length)
        {
            var end = i;
            while (end < output.Length && output[end] != '\n' && output[end] != '\r' && output[end] != 0)
            {
                end++;
            }

            FuzzInvariantException.Check(end < output.Length, $"IMAP: the last line does not end with CRLF: {ReplyChecks.Around(output, output.Length - 1)}");
            FuzzInvariantException.Check(output[end] != 0, $"IMAP: a NUL outside a literal: {ReplyChecks.Around(output, end)}");
            FuzzInvariantException.Check(output[end] == '\r' && end + 1 < output.Length && output[end + 1] == '\n', $"IMAP: a bare CR or LF: {ReplyChecks.Around(output, end)}");
            var text = Encoding.UTF8.GetString(output, i, end - i);
            i = end + 2;
            if (LiteralSize(text) is { } size)
            {
                FuzzInvariantException.Check(output.Length - i >= size, $"IMAP: a literal of {size} bytes with {output.Length - i} left");
                line.Append(text.AsSpan(0, text.LastIndexOf('{'))).Append(Literal);
                i += (int)size;
                continue;
            }

            line.Append(text);
            lines.Add(line.ToString());
            CheckLine(line.ToString());
            line.Clear();
        }

        return lines;
    }

    /// <summary>The size of a literal announced at the end of <paramref name="text"/> (<c>{N}</c> or <c>~{N}</c>).</summary>
    private static long? LiteralSize(string text)
    {
        if (!text.EndsWith('}'))
        {
            return null;
        }

        var open = text.LastIndexOf('{');
        return open >= 0 && long.TryParse(text.AsSpan(open + 1, text.Length - open - 2), System.Globalization.NumberStyles.None, null, out var size) ? size : null;
    }

    private static void CheckLine(string line)
    {
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        var first = space < 0 ? line : line[..space];
        FuzzInvariantException.Check(
            first is "*" or "+" || (first.Length > 0 && first.All(c => IsAtomChar(c) || c == ']') && !first.Contains('+', StringComparison.Ordinal)),
            $"IMAP: a line that starts with neither *, + nor a tag: {line}");
        if (first != "*" || space < 0)
        {
            return;
        }

        // "* N FETCH ...", "* N EXISTS", "* LIST ...".
        var rest = line[(space + 1)..];
        var words = rest.Split(' ', 3);
        var name = words[0].All(char.IsAsciiDigit) && words.Length > 1 ? words[1] : words[0];
        if (Structured.Contains(name))
        {
            Tokens(line, rest);
        }
    }

    /// <summary>Reads the tokens of a data response; throws on a malformed quoted string or an atom that needs quoting.</summary>
    private static void Tokens(string line, string text)
    {
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c is ' ' or '(' or ')' or Literal)
            {
                i++;
                continue;
            }

            if (c == '"')
            {
                i++;
                while (true)
                {
                    FuzzInvariantException.Check(i < text.Length, $"IMAP: an unterminated quoted string: {line}");
                    if (text[i] == '"')
                    {
                        break;
                    }

                    if (text[i] == '\\')
                    {
                        FuzzInvariantException.Check(i + 1 < text.Length && text[i + 1] is '"' or '\\', $"IMAP: a backslash that escapes neither \\ nor \" in a quoted string: {line}");
                        i++;
                    }

                    i++;
                }

                i++;
                continue;
            }

            var start = i;
            while (i < text.Length && text[i] is not (' ' or '(' or ')'))
            {
                i++;
            }

            var atom = text[start..i];
            FuzzInvariantException.Check(
                atom == "\\*" || atom.All(ch => IsAtomChar(ch) || ch is ']' or '[' or '\\'),
                $"IMAP: '{atom}' needs quoting but was sent as an atom: {line}");
        }
    }

    /// <summary>RFC 9051 §9 ATOM-CHAR: any CHAR except atom-specials ( ) { SP CTL % * " \ ].</summary>
    private static bool IsAtomChar(char c) => c is > ' ' and < '\x7f' and not ('(' or ')' or '{' or '%' or '*' or '"' or '\\' or ']');
}
