using System.Text;

namespace MailHost.Filtering.DnsLists;

/// <summary>Fills in <see cref="DnsListOptions.ReplyText"/> and cleans the text lists publish for it.</summary>
internal static class DnsListReplyText
{
    /// <summary>The most characters of a list's TXT record used.</summary>
    public const int MaxReasonLength = 200;

    /// <summary>
    /// The most characters of a reply text: with the code, the enhanced code and CRLF it stays well within the 512
    /// octets of a reply line (RFC 5321 §4.5.3.1.5).
    /// </summary>
    public const int MaxTextLength = 400;

    private static readonly string[] Placeholders = ["address", "zone", "code", "label", "reason", ": reason"];

    /// <summary>The first <c>{...}</c> in <paramref name="template"/> that is not a placeholder; null when there is none.</summary>
    public static string? FindUnknownPlaceholder(string template)
    {
        for (var start = template.IndexOf('{', StringComparison.Ordinal); start >= 0; start = template.IndexOf('{', start + 1))
        {
            var end = template.IndexOf('}', start);
            if (end < 0)
            {
                return template[start..];
            }

            var name = template[(start + 1)..end];
            if (!Placeholders.Contains(name, StringComparer.Ordinal))
            {
                return template[start..(end + 1)];
            }
        }

        return null;
    }

    /// <summary>
    /// The reply text: <paramref name="template"/> with its placeholders filled in (unknown ones left as they are),
    /// cleaned to printable ASCII and at most <see cref="MaxTextLength"/> characters.
    /// </summary>
    public static string Format(string template, string address, string zone, string code, string label, string? reason)
    {
        var text = new StringBuilder(template.Length + 64);
        var at = 0;
        while (at < template.Length)
        {
            var start = template.IndexOf('{', at);
            var end = start < 0 ? -1 : template.IndexOf('}', start);
            if (end < 0)
            {
                text.Append(template, at, template.Length - at);
                break;
            }

            text.Append(template, at, start - at);
            var name = template[(start + 1)..end];
            text.Append(name switch
            {
                "address" => address,
                "zone" => zone,
                "code" => code,
                "label" => label,
                "reason" => reason ?? "",
                ": reason" => string.IsNullOrEmpty(reason) ? "" : ": " + reason,
                _ => template[start..(end + 1)],
            });
            at = end + 1;
        }

        return Clean(text.ToString(), MaxTextLength) ?? "";
    }

    /// <summary>
    /// <paramref name="text"/> as printable ASCII on one line: other characters (control characters, line breaks,
    /// anything outside ASCII, which an SMTP reply cannot carry, RFC 5321 §4.2) become spaces, runs of spaces one,
    /// and the result is cut at <paramref name="maxLength"/>. Null when nothing printable is left.
    /// </summary>
    public static string? Clean(string? text, int maxLength)
    {
        if (text is null)
        {
            return null;
        }

        var clean = new StringBuilder(Math.Min(text.Length, maxLength));
        foreach (var c in text)
        {
            var printable = c is > ' ' and <= '~';
            if (printable)
            {
                if (clean.Length == maxLength)
                {
                    break;
                }

                clean.Append(c);
            }
            else if (clean.Length > 0 && clean[^1] != ' ' && clean.Length < maxLength)
            {
                clean.Append(' ');
            }
        }

        var result = clean.ToString().TrimEnd();
        return result.Length == 0 ? null : result;
    }
}
