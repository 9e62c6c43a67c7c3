using System.Buffers;
using System.Globalization;
using System.Text;

namespace MailHost.Protocols.Smtp;

/// <summary>Writes multi-line SMTP replies (RFC 5321 §4.2.1: <c>code-text</c> lines, the last <c>code SP text</c>).</summary>
public static class SmtpReplyWriter
{
    /// <summary>
    /// Writes a multi-line reply. Every line carries <paramref name="enhancedStatusCode"/> when given (RFC 2034 §3).
    /// </summary>
    /// <param name="output">The destination.</param>
    /// <param name="code">200 to 599.</param>
    /// <param name="enhancedStatusCode">The enhanced status code for every line, or <see langword="null"/>.</param>
    /// <param name="lines">At least one line of printable ASCII without CR or LF.</param>
    /// <exception cref="ArgumentException">For an empty list or a malformed line (programming errors).</exception>
    public static void WriteMultiline(IBufferWriter<byte> output, int code, string? enhancedStatusCode, IReadOnlyList<string> lines)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(lines);
        if (lines.Count == 0)
        {
            throw new ArgumentException("A reply has at least one line.", nameof(lines));
        }

        for (var i = 0; i < lines.Count; i++)
        {
            // Validates code, enhanced status code and text the same way a single-line reply does.
            var line = new SmtpReply(code, enhancedStatusCode, lines[i]);
            var separator = i == lines.Count - 1 ? " " : "-";
            var prefix = enhancedStatusCode is null
                ? string.Create(CultureInfo.InvariantCulture, $"{code}{separator}")
                : string.Create(CultureInfo.InvariantCulture, $"{code}{separator}{enhancedStatusCode} ");
            output.Write(Encoding.ASCII.GetBytes(prefix + line.Text));
            output.Write("\r\n"u8);
        }
    }

    /// <summary>
    /// Writes the EHLO reply (RFC 5321 §4.1.1.1): <c>250-domain greeting</c>, then one keyword line for each offered
    /// extension. RFC 2034 §3 leaves enhanced status codes out of EHLO replies.
    /// </summary>
    /// <param name="output">The destination.</param>
    /// <param name="domain">The server's name, first word of the first line.</param>
    /// <param name="greeting">Optional text after the domain.</param>
    /// <param name="extensions">What to advertise; use the same value as <see cref="SmtpParserOptions.Extensions"/>.</param>
    /// <param name="maxMessageSize">The SIZE value (RFC 1870 §4: 0 means no fixed limit); <see cref="long.MaxValue"/> is sent as 0.</param>
    /// <param name="authMechanisms">SASL mechanisms for the AUTH line (RFC 4954 §3); the line is left out when empty.</param>
    public static void WriteEhlo(
        IBufferWriter<byte> output, string domain, string? greeting, SmtpExtensions extensions, long maxMessageSize, IReadOnlyList<string> authMechanisms)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(authMechanisms);
        var lines = new List<string> { string.IsNullOrEmpty(greeting) ? domain : domain + " " + greeting };
        if (extensions.HasFlag(SmtpExtensions.Pipelining))
        {
            lines.Add("PIPELINING");
        }

        if (extensions.HasFlag(SmtpExtensions.Size))
        {
            var size = maxMessageSize == long.MaxValue ? 0 : maxMessageSize;
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"SIZE {size}"));
        }

        (SmtpExtensions Flag, string Keyword)[] simple =
        [
            (SmtpExtensions.EightBitMime, "8BITMIME"),
            (SmtpExtensions.SmtpUtf8, "SMTPUTF8"),
            (SmtpExtensions.EnhancedStatusCodes, "ENHANCEDSTATUSCODES"),
            (SmtpExtensions.Dsn, "DSN"),
            (SmtpExtensions.Chunking, "CHUNKING"),
            (SmtpExtensions.BinaryMime, "BINARYMIME"),
            (SmtpExtensions.StartTls, "STARTTLS"),
        ];
        foreach (var (flag, keyword) in simple)
        {
            if (extensions.HasFlag(flag))
            {
                lines.Add(keyword);
            }
        }

        if (extensions.HasFlag(SmtpExtensions.Auth) && authMechanisms.Count > 0)
        {
            lines.Add("AUTH " + string.Join(' ', authMechanisms));
        }

        WriteMultiline(output, 250, null, lines);
    }
}
