using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MailHost.Protocols.MailAuthentication;

/// <summary>
/// A parsed SPF <c>macro-string</c> or <c>domain-spec</c> (RFC 7208 §7.1 and §4.8), ready to expand against a
/// <see cref="SpfMacroContext"/> (§7.3). Parsing holds every syntax rule, so expansion cannot fail.
/// </summary>
public sealed class SpfMacroString
{
    private const string MacroLetters = "slodiphv";
    private const string ExplanationOnlyLetters = "crt";
    private const string DelimiterCharacters = ".-+,/_=";

    private SpfMacroString(string text, IReadOnlyList<SpfMacroPart> parts)
    {
        Text = text;
        Parts = parts;
    }

    /// <summary>The text as published.</summary>
    public string Text { get; }

    /// <summary>The literal and macro parts in order.</summary>
    public IReadOnlyList<SpfMacroPart> Parts { get; }

    /// <summary>Whether any macro uses <paramref name="letter"/> (lower case), e.g. <c>p</c>, whose value needs DNS.</summary>
    public bool Uses(char letter) => Parts.Any(p => !p.IsLiteral && p.Letter == letter);

    /// <summary>
    /// Parses a <c>macro-string</c> (§7.1). <paramref name="explanation"/> allows the letters <c>c</c>, <c>r</c> and
    /// <c>t</c>, which §7.2 reserves for explanation text.
    /// </summary>
    public static bool TryParse(string text, bool explanation, out SpfMacroString? value, out string? error)
        => TryParse(text, explanation, out value, out _, out error);

    /// <summary>
    /// Parses a <c>domain-spec</c> (§4.8): a macro-string that ends in a macro or in <c>"." toplabel ["."]</c>.
    /// </summary>
    public static bool TryParseDomainSpec(string text, out SpfMacroString? value, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!TryParse(text, explanation: false, out value, out var endsWithMacro, out error))
        {
            return false;
        }

        if (!endsWithMacro && !EndsWithTopLabel(value!.Parts[^1].Literal!))
        {
            value = null;
            error = $"'{text}' does not end with a top-level label or a macro";
            return false;
        }

        return true;
    }

    /// <summary>Expands the macros (§7.3) and applies transformers; upper-case macros are URL-escaped.</summary>
    public string Expand(SpfMacroContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var result = new StringBuilder();
        foreach (var part in Parts)
        {
            if (part.IsLiteral)
            {
                result.Append(part.Literal);
                continue;
            }

            var value = Transform(Value(part.Letter, context), part);
            result.Append(part.UrlEscape ? Uri.EscapeDataString(value) : value);
        }

        return result.ToString();
    }

    /// <inheritdoc/>
    public override string ToString() => Text;

    private static bool TryParse(string text, bool explanation, out SpfMacroString? value, out bool endsWithMacro, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        value = null;
        endsWithMacro = false;
        error = null;
        var parts = new List<SpfMacroPart>();
        var literal = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c != '%')
            {
                // macro-literal = %x21-24 / %x26-7E
                if (c is < '!' or > '~')
                {
                    error = $"'{text}' contains a character outside macro-literal";
                    return false;
                }

                literal.Append(c);
                endsWithMacro = false;
                i++;
                continue;
            }

            if (i + 1 >= text.Length)
            {
                error = $"'{text}' ends with a lone '%'";
                return false;
            }

            var next = text[i + 1];
            switch (next)
            {
                case '%':
                    literal.Append('%');
                    i += 2;
                    endsWithMacro = true;
                    continue;
                case '_':
                    literal.Append(' ');
                    i += 2;
                    endsWithMacro = true;
                    continue;
                case '-':
                    literal.Append("%20");
                    i += 2;
                    endsWithMacro = true;
                    continue;
                case '{':
                    break;
                default:
                    // §7.1: a '%' not followed by '{', '%', '-' or '_' is a syntax error.
                    error = $"'{text}' has '%' followed by '{next}'";
                    return false;
            }

            var close = text.IndexOf('}', i + 2);
            if (close < 0)
            {
                error = $"'{text}' has an unclosed macro";
                return false;
            }

            if (!TryParseMacro(text.AsSpan(i + 2, close - i - 2), explanation, out var macro, out error))
            {
                error = $"'{text}': {error}";
                return false;
            }

            if (literal.Length > 0)
            {
                parts.Add(SpfMacroPart.Text(literal.ToString()));
                literal.Clear();
            }

            parts.Add(macro!);
            endsWithMacro = true;
            i = close + 1;
        }

        if (literal.Length > 0)
        {
            parts.Add(SpfMacroPart.Text(literal.ToString()));
        }

        if (parts.Count == 0)
        {
            error = "empty macro-string";
            return false;
        }

        value = new SpfMacroString(text, parts);
        return true;
    }

    /// <summary>The inside of <c>%{...}</c>: macro-letter transformers *delimiter.</summary>
    private static bool TryParseMacro(ReadOnlySpan<char> body, bool explanation, out SpfMacroPart? macro, out string? error)
    {
        macro = null;
        error = null;
        if (body.IsEmpty)
        {
            error = "empty macro";
            return false;
        }

        var letter = char.ToLowerInvariant(body[0]);
        if (!MacroLetters.Contains(letter, StringComparison.Ordinal) && !(explanation && ExplanationOnlyLetters.Contains(letter, StringComparison.Ordinal)))
        {
            // §7.2: c, r and t are allowed only in explanation text.
            error = $"macro letter '{body[0]}' is not allowed here";
            return false;
        }

        var i = 1;
        var digitsStart = i;
        while (i < body.Length && char.IsAsciiDigit(body[i]))
        {
            i++;
        }

        var digits = 0;
        if (i > digitsStart)
        {
            // A huge count keeps every part; only zero is an error (§7.1: "the value MUST be nonzero").
            if (!int.TryParse(body[digitsStart..i], NumberStyles.None, CultureInfo.InvariantCulture, out digits))
            {
                digits = int.MaxValue;
            }

            if (digits == 0)
            {
                error = "a macro digit transformer must be nonzero";
                return false;
            }
        }

        var reverse = false;
        if (i < body.Length && body[i] is 'r' or 'R')
        {
            reverse = true;
            i++;
        }

        var delimiters = body[i..];
        foreach (var d in delimiters)
        {
            if (!DelimiterCharacters.Contains(d, StringComparison.Ordinal))
            {
                error = $"'{d}' is not a macro delimiter";
                return false;
            }
        }

        macro = new SpfMacroPart
        {
            Letter = letter,
            Digits = digits,
            Reverse = reverse,
            Delimiters = delimiters.IsEmpty ? "." : delimiters.ToString(),
            UrlEscape = char.IsAsciiLetterUpper(body[0]),
        };
        return true;
    }

    /// <summary>domain-end = "." toplabel ["."]; toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum ).</summary>
    private static bool EndsWithTopLabel(string literal)
    {
        var text = literal.EndsWith('.') ? literal[..^1] : literal;
        var dot = text.LastIndexOf('.');
        if (dot < 0)
        {
            return false;
        }

        var label = text.AsSpan(dot + 1);
        if (label.IsEmpty || !char.IsAsciiLetterOrDigit(label[0]) || !char.IsAsciiLetterOrDigit(label[^1]))
        {
            return false;
        }

        var hasLetter = false;
        var hasHyphen = false;
        foreach (var c in label)
        {
            if (char.IsAsciiLetter(c))
            {
                hasLetter = true;
            }
            else if (c == '-')
            {
                hasHyphen = true;
            }
            else if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return hasLetter || hasHyphen;
    }

    private static string Value(char letter, SpfMacroContext context) => letter switch
    {
        's' => context.Sender,
        'l' => context.LocalPart,
        'o' => context.SenderDomain,
        'd' => context.Domain,
        'i' => DottedAddress(context.ClientAddress),
        'p' => context.ValidatedDomain,
        'h' => context.HeloDomain,
        'v' => context.ClientAddress.AddressFamily == AddressFamily.InterNetworkV6 ? "ip6" : "in-addr",
        'c' => context.ClientAddress.ToString(),
        'r' => context.ReceivingHost,
        't' => context.Timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
        _ => throw new InvalidOperationException("The parser admits only known macro letters."),
    };

    /// <summary>§7.3: IPv4 in dotted decimal; IPv6 as 32 dot-separated nibbles (so %{ir} gives the ip6.arpa form).</summary>
    private static string DottedAddress(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        var text = new StringBuilder(63);
        foreach (var b in bytes)
        {
            if (text.Length > 0)
            {
                text.Append('.');
            }

            text.Append("0123456789abcdef"[b >> 4]).Append('.').Append("0123456789abcdef"[b & 0xF]);
        }

        return text.ToString();
    }

    /// <summary>§7.3: split on the delimiters, reverse if asked, keep the right-most parts, join with dots.</summary>
    private static string Transform(string value, SpfMacroPart part)
    {
        if (part.Digits == 0 && !part.Reverse && part.Delimiters == ".")
        {
            return value;
        }

        var pieces = value.Split(part.Delimiters.ToCharArray());
        if (part.Reverse)
        {
            Array.Reverse(pieces);
        }

        var keep = part.Digits == 0 ? pieces.Length : Math.Min(part.Digits, pieces.Length);
        return string.Join('.', pieces, pieces.Length - keep, keep);
    }
}
