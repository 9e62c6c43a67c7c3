using System.Buffers;
using System.Text;

namespace MailHost.Protocols.Smtp;

/// <summary>
/// One single-line SMTP reply (RFC 5321 §4.2): a three-digit code, an enhanced status code (RFC 3463, sent when
/// ENHANCEDSTATUSCODES is in use, RFC 2034) and fixed text. Parser errors are values of this type; their text never
/// echoes client input.
/// </summary>
public sealed record SmtpReply
{
    /// <summary>Creates a reply.</summary>
    /// <param name="code">200 to 599.</param>
    /// <param name="enhancedStatusCode"><c>class.subject.detail</c> whose class matches the code's first digit, or <see langword="null"/>.</param>
    /// <param name="text">Printable ASCII without CR or LF.</param>
    /// <exception cref="ArgumentException">For a malformed code or text (a programming error).</exception>
    public SmtpReply(int code, string? enhancedStatusCode, string text)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(code, 200);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(code, 599);
        ArgumentNullException.ThrowIfNull(text);
        if (enhancedStatusCode is not null && !IsEnhancedStatusCode(enhancedStatusCode, code / 100))
        {
            throw new ArgumentException("Enhanced status code must be class.subject.detail with the reply's class.", nameof(enhancedStatusCode));
        }

        foreach (var c in text)
        {
            if (c is < ' ' or > '~')
            {
                throw new ArgumentException("Reply text must be printable ASCII.", nameof(text));
            }
        }

        Code = code;
        EnhancedStatusCode = enhancedStatusCode;
        Text = text;
    }

    /// <summary>The reply code, 200 to 599.</summary>
    public int Code { get; }

    /// <summary>The RFC 3463 enhanced status code, for example <c>5.5.2</c>, or <see langword="null"/>.</summary>
    public string? EnhancedStatusCode { get; }

    /// <summary>The human-readable text.</summary>
    public string Text { get; }

    /// <summary>Writes <c>code SP [enhanced SP] text CRLF</c>.</summary>
    /// <param name="output">The destination.</param>
    /// <param name="includeEnhancedStatusCode">Whether to include the enhanced status code (RFC 2034 §3: when the extension is offered).</param>
    public void WriteTo(IBufferWriter<byte> output, bool includeEnhancedStatusCode = true)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Write(Encoding.ASCII.GetBytes(ToString(includeEnhancedStatusCode)));
        output.Write("\r\n"u8);
    }

    /// <summary>The reply line without CRLF.</summary>
    public override string ToString() => ToString(includeEnhancedStatusCode: true);

    /// <summary>The reply line without CRLF, with or without the enhanced status code.</summary>
    public string ToString(bool includeEnhancedStatusCode) =>
        includeEnhancedStatusCode && EnhancedStatusCode is not null
            ? string.Create(null, stackalloc char[128], $"{Code} {EnhancedStatusCode} {Text}")
            : string.Create(null, stackalloc char[128], $"{Code} {Text}");

    internal static bool IsEnhancedStatusCode(string value, int replyClass)
    {
        // RFC 3463 §2: class "." subject "." detail; subject 1*3digit, detail 1*3digit.
        var parts = value.Split('.');
        return parts.Length == 3
            && parts[0].Length == 1 && parts[0][0] - '0' == replyClass
            && parts[1].Length is >= 1 and <= 3 && parts[1].All(char.IsAsciiDigit)
            && parts[2].Length is >= 1 and <= 3 && parts[2].All(char.IsAsciiDigit);
    }
}
