using System.Text;

namespace MailHost.Filtering.Rspamd;

/// <summary>
/// Makes text from rspamd safe where MailHost puts it: header field values on one line, SMTP reply text in printable
/// ASCII. Whatever rspamd sends is treated as untrusted: its values echo the message (the subject, a From address).
/// </summary>
internal static class RspamdText
{
    /// <summary>
    /// A header field value on one line: folding (CRLF followed by white space, RFC 5322 §2.2.3) and any other line
    /// break or control character become one space; runs of white space shrink to one. UTF-8 text (RFC 6532) is kept.
    /// </summary>
    public static string HeaderValue(string value)
    {
        var text = new StringBuilder(value.Length);
        var space = false;
        foreach (var c in value)
        {
            if (c is ' ' or '\t' || char.IsControl(c))
            {
                space = text.Length > 0;
                continue;
            }

            if (space)
            {
                text.Append(' ');
                space = false;
            }

            text.Append(c);
        }

        return text.ToString();
    }

    /// <summary>
    /// Text for an SMTP reply line: printable US-ASCII only (RFC 5321 §4.2: textstring), other characters become
    /// <c>?</c>, white space shrinks to one space, at most <paramref name="maxLength"/> characters;
    /// <paramref name="fallback"/> when nothing is left.
    /// </summary>
    public static string ReplyText(string? value, string fallback, int maxLength)
    {
        if (value is null)
        {
            return fallback;
        }

        var text = new StringBuilder(Math.Min(value.Length, maxLength));
        foreach (var c in HeaderValue(value))
        {
            if (text.Length == maxLength)
            {
                break;
            }

            text.Append(c is >= ' ' and <= '~' ? c : '?');
        }

        var result = text.ToString().TrimEnd();
        return result.Length == 0 ? fallback : result;
    }

    /// <summary>Whether <paramref name="name"/> is a header field name: printable US-ASCII but colon (RFC 5322 §3.6.8 ftext).</summary>
    public static bool IsFieldName(string name)
        => name.Length > 0 && name.All(c => c is >= '!' and <= '~' and not ':');

    /// <summary>A symbol name reduced to printable US-ASCII without separators, so a list of them parses back.</summary>
    public static string SymbolName(string name)
        => string.Concat(name.Where(c => c is >= '!' and <= '~' and not ',' and not ';'));

    /// <summary>
    /// <paramref name="items"/> joined with <paramref name="separator"/>, at most <paramref name="maxLength"/>
    /// characters: when they do not all fit, as many as fit followed by <c>...</c>.
    /// </summary>
    public static string JoinCapped(IReadOnlyList<string> items, string separator, int maxLength)
    {
        const string More = "...";
        var all = string.Join(separator, items);
        if (all.Length <= maxLength)
        {
            return all;
        }

        var text = new StringBuilder(maxLength);
        var room = maxLength - separator.Length - More.Length;
        foreach (var item in items)
        {
            var needed = (text.Length == 0 ? 0 : separator.Length) + item.Length;
            if (text.Length + needed > room)
            {
                break;
            }

            if (text.Length > 0)
            {
                text.Append(separator);
            }

            text.Append(item);
        }

        return text.Length == 0 ? More : text.Append(separator).Append(More).ToString();
    }
}
