using System.Buffers;
using System.Globalization;
using System.Text;

namespace MailHost.Protocols.Smtp;

/// <summary>
/// RFC 5321 §4.1.2 address grammar and RFC 3461 §4 xtext for code outside the command parser (configuration,
/// policy, relaying). The same rules the parser applies; nothing here throws for bad input.
/// </summary>
public static class SmtpGrammar
{
    private static readonly SearchValues<char> AText =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-/=?^_`{|}~");

    /// <summary>Parses a whole <c>Mailbox</c> such as <c>user@example.com</c> (no angle brackets).</summary>
    /// <param name="text">The UTF-8 or ASCII bytes.</param>
    /// <param name="allowUtf8">Whether UTF-8 local parts and domains are allowed (RFC 6531).</param>
    /// <param name="mailbox">The mailbox when the method returns <see langword="true"/>.</param>
    public static bool TryParseMailbox(ReadOnlySpan<byte> text, bool allowUtf8, out SmtpMailbox? mailbox)
    {
        var reader = new SmtpGrammarReader(text, allowUtf8);
        return reader.ParseMailbox(out mailbox) && reader.End || Fail(out mailbox);
    }

    /// <summary>Parses a whole reverse-path (<c>&lt;&gt;</c> or <c>&lt;[route:]mailbox&gt;</c>).</summary>
    public static bool TryParseReversePath(ReadOnlySpan<byte> text, bool allowUtf8, out SmtpPath? path)
    {
        var reader = new SmtpGrammarReader(text, allowUtf8);
        return reader.ParseReversePath(out path) && reader.End || Fail(out path);
    }

    /// <summary>
    /// Decodes RFC 3461 §4 xtext: <c>xchar</c> (printable ASCII but <c>+</c> and <c>=</c>) and <c>+HH</c> with
    /// upper-case hex. The decoded value must be printable ASCII (space included).
    /// </summary>
    public static bool TryDecodeXtext(ReadOnlySpan<byte> xtext, out string? value)
    {
        value = null;
        var builder = new StringBuilder(xtext.Length);
        for (var i = 0; i < xtext.Length; i++)
        {
            var b = xtext[i];
            if (b == (byte)'+')
            {
                if (i + 2 >= xtext.Length)
                {
                    return false;
                }

                var high = UpperHex(xtext[i + 1]);
                var low = UpperHex(xtext[i + 2]);
                var decoded = (high << 4) | low;
                if (high < 0 || low < 0 || decoded is < 32 or > 126)
                {
                    return false;
                }

                builder.Append((char)decoded);
                i += 2;
            }
            else if (b is >= 33 and <= 126 and not (byte)'=')
            {
                builder.Append((char)b);
            }
            else
            {
                return false;
            }
        }

        value = builder.ToString();
        return true;
    }

    /// <summary>Encodes printable ASCII as xtext (RFC 3461 §4): <c>+</c>, <c>=</c>, space and others as <c>+HH</c>.</summary>
    /// <exception cref="ArgumentException">For characters outside printable ASCII.</exception>
    public static string EncodeXtext(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var builder = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c is < ' ' or > '~')
            {
                throw new ArgumentException("xtext carries printable ASCII only.", nameof(value));
            }

            if (c is '+' or '=' or ' ')
            {
                builder.Append(CultureInfo.InvariantCulture, $"+{(int)c:X2}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>Whether <paramref name="localPart"/> is a <c>Dot-string</c> and needs no quoting (RFC 5321 §4.1.2).</summary>
    public static bool IsDotString(string localPart)
    {
        ArgumentNullException.ThrowIfNull(localPart);
        if (localPart.Length == 0 || localPart[0] == '.' || localPart[^1] == '.' || localPart.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in localPart)
        {
            if (c != '.' && !AText.Contains(c) && c < 0x80)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Writes <paramref name="localPart"/> as a <c>Quoted-string</c>, escaping <c>"</c> and <c>\</c>.</summary>
    public static string Quote(string localPart)
    {
        ArgumentNullException.ThrowIfNull(localPart);
        return "\"" + localPart.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }

    private static int UpperHex(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    private static bool Fail<T>(out T? value)
        where T : class
    {
        value = null;
        return false;
    }
}
