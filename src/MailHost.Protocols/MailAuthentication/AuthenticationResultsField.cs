using System.Text;

namespace MailHost.Protocols.MailAuthentication;

/// <summary>
/// Writes the Authentication-Results header field (RFC 8601 §2.2) and reads the <c>authserv-id</c> of existing
/// ones (for §5: fields that claim this server's identity are not trusted). Everything written is 7-bit printable
/// ASCII: values from DNS or from the message become tokens, addresses or quoted-strings, and comments have
/// their parentheses escaped, so no CR, LF or other control character can reach the header (header injection).
/// </summary>
public static class AuthenticationResultsField
{
    /// <summary>The field name.</summary>
    public const string Name = "Authentication-Results";

    /// <summary>Values longer than this are left out rather than written (no property of ours is legitimately longer).</summary>
    public const int MaxValueLength = 320;

    private const int MaxCommentLength = 200;

    // RFC 2045 §5.1 tspecials.
    private const string TSpecials = "()<>@,;:\\\"/[]?=";

    // RFC 5322 §3.2.3 atext (plus '.', for dot-atom-text).
    private const string AtextSymbols = "!#$%&'*+-/=?^_`{|}~.";

    /// <summary>
    /// The whole field with its final CRLF, one <c>resinfo</c> per folded line:
    /// <c>Authentication-Results: id;\r\n\tspf=pass smtp.mailfrom=a@b;\r\n\tdkim=none\r\n</c>, or
    /// <c>Authentication-Results: id; none\r\n</c> without results.
    /// </summary>
    public static string Format(string authServId, IReadOnlyList<AuthenticationResultsMethod> results)
    {
        ArgumentNullException.ThrowIfNull(authServId);
        ArgumentNullException.ThrowIfNull(results);
        var text = new StringBuilder(256);
        text.Append(Name).Append(": ").Append(FormatValue(authServId, allowAddress: false) ?? "unknown");
        if (results.Count == 0)
        {
            return text.Append("; none\r\n").ToString();
        }

        foreach (var result in results)
        {
            text.Append(";\r\n\t").Append(Keyword(result.Method)).Append('=').Append(Keyword(result.Result));
            if (!string.IsNullOrEmpty(result.Comment))
            {
                text.Append(" (").Append(FormatComment(result.Comment)).Append(')');
            }

            foreach (var property in result.Properties)
            {
                if (FormatValue(property.Value, allowAddress: true) is { } value)
                {
                    text.Append(' ').Append(Keyword(property.Type)).Append('.').Append(Keyword(property.Name)).Append('=').Append(value);
                }
            }
        }

        return text.Append("\r\n").ToString();
    }

    /// <summary>
    /// Reads the <c>authserv-id</c> at the start of a field value (after the colon, folded or not): CFWS, then a
    /// token or quoted-string. Returns <see langword="false"/> when there is none.
    /// </summary>
    public static bool TryReadAuthServId(ReadOnlySpan<byte> value, out string? authServId)
    {
        authServId = null;
        var i = SkipCfws(value, 0);
        if (i < 0 || i >= value.Length)
        {
            return false;
        }

        var text = new StringBuilder();
        if (value[i] == '"')
        {
            i++;
            while (i < value.Length && value[i] != '"')
            {
                if (value[i] == '\\' && i + 1 < value.Length)
                {
                    i++;
                }

                if (value[i] is not ((byte)'\r' or (byte)'\n'))
                {
                    text.Append((char)value[i]);
                }

                i++;
            }

            if (i >= value.Length)
            {
                return false;
            }
        }
        else
        {
            while (i < value.Length && value[i] > ' ' && value[i] < 0x7F && TSpecials.IndexOf((char)value[i], StringComparison.Ordinal) < 0)
            {
                text.Append((char)value[i]);
                i++;
            }
        }

        authServId = text.ToString();
        return authServId.Length > 0;
    }

    /// <summary>
    /// A property value as the grammar allows it (pvalue = value / [ [ local-part ] "@" ] domain-name): a token as
    /// is, <c>local@domain</c> with a dot-atom local part as is, anything else as a quoted-string with control and
    /// non-ASCII characters removed; <see langword="null"/> when empty or longer than <see cref="MaxValueLength"/>.
    /// </summary>
    public static string? FormatValue(string? value, bool allowAddress)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxValueLength)
        {
            return null;
        }

        if (IsToken(value))
        {
            return value;
        }

        var at = value.LastIndexOf('@');
        if (allowAddress && at >= 0 && IsDotAtom(value.AsSpan(0, at)) && IsToken(value.AsSpan(at + 1)))
        {
            return value;
        }

        var quoted = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            if (c is < ' ' or >= (char)0x7F)
            {
                continue;
            }

            if (c is '"' or '\\')
            {
                quoted.Append('\\');
            }

            quoted.Append(c);
        }

        return quoted.Length == 1 ? null : quoted.Append('"').ToString();
    }

    private static string FormatComment(string comment)
    {
        var text = new StringBuilder(Math.Min(comment.Length, MaxCommentLength) + 8);
        foreach (var c in comment)
        {
            if (text.Length >= MaxCommentLength)
            {
                break;
            }

            if (c is < ' ' or >= (char)0x7F)
            {
                text.Append(c is '\t' ? ' ' : '?');
                continue;
            }

            if (c is '(' or ')' or '\\')
            {
                text.Append('\\');
            }

            text.Append(c);
        }

        return text.ToString();
    }

    /// <summary>Method, result and property names are ours, but are still reduced to token characters.</summary>
    private static string Keyword(string keyword)
    {
        var text = string.Concat(keyword.Where(c => c is > ' ' and < (char)0x7F && TSpecials.IndexOf(c, StringComparison.Ordinal) < 0 && c != '.'));
        return text.Length == 0 ? "x" : text;
    }

    private static bool IsToken(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is <= ' ' or >= (char)0x7F || TSpecials.Contains(c, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsDotAtom(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || text[0] == '.' || text[^1] == '.' || text.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && !AtextSymbols.Contains(c, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Skips white space, folding and (nested) comments; -1 when a comment is unterminated.</summary>
    private static int SkipCfws(ReadOnlySpan<byte> value, int i)
    {
        while (i < value.Length)
        {
            var b = value[i];
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                i++;
                continue;
            }

            if (b != '(')
            {
                return i;
            }

            var depth = 0;
            while (i < value.Length)
            {
                if (value[i] == '\\')
                {
                    i += 2;
                    continue;
                }

                depth += value[i] switch { (byte)'(' => 1, (byte)')' => -1, _ => 0 };
                i++;
                if (depth == 0)
                {
                    break;
                }
            }

            if (depth != 0)
            {
                return -1;
            }
        }

        return i;
    }
}
