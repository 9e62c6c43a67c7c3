using System.Buffers;
using System.Text;

namespace MailHost.Protocols.Text;

/// <summary>
/// Hides secrets in client command lines before they reach a protocol trace. Each method looks at one line
/// (with or without its CRLF) and returns the escaped display text with the secret replaced by
/// <see cref="RedactedMarker"/>, or null when the line carries no secret and may be traced as-is with
/// <see cref="ProtocolTraceFormatter.Escape(ReadOnlySpan{byte}, int)"/>. Pure and thread-safe.
/// </summary>
/// <remarks>
/// A single line cannot reveal everything: the caller must also hide the lines that continue a SASL exchange
/// (client responses to <c>+</c> / <c>334</c> challenges) and IMAP literals sent after a LOGIN or AUTHENTICATE
/// line; <see cref="RedactedMarker"/> is the text to show for them. The <c>Redact*Lines</c> methods take whatever a
/// session traces at once and judge every line on its own, so that a secret is hidden whatever comes before it (the
/// rest of a refused command, a pipelined command).
/// </remarks>
public static class ProtocolTraceRedactor
{
    /// <summary>The text shown in place of a secret.</summary>
    public const string RedactedMarker = "<redacted>";

    // RFC 4422 §3.1: a mechanism name is 1 to 20 characters from [A-Z0-9-_].
    private const int MaxMechanismLength = 20;

    private static readonly SearchValues<byte> MechanismChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"u8);

    // RFC 4648 §4: the base64 alphabet and its padding, the only characters of a SASL response (RFC 4422 §3.3); and
    // RFC 6750 §2.1's b64token characters "-._~", so that a bearer token a client sends raw (a JWT is base64url words
    // joined by dots) is hidden like one in base64.
    private static readonly SearchValues<byte> Base64Chars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-._~"u8);

    // Commands that are one word: a line of one word that is none of these may be a SASL response sent out of turn.
    private static readonly string[] Pop3Verbs =
        ["USER", "PASS", "APOP", "AUTH", "STAT", "LIST", "RETR", "DELE", "NOOP", "RSET", "QUIT", "TOP", "UIDL", "CAPA", "STLS", "UTF8", "LANG"];

    private static readonly string[] SmtpVerbs =
        ["HELO", "EHLO", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "VRFY", "EXPN", "HELP", "NOOP", "QUIT", "STARTTLS", "AUTH"];

    private delegate string? LineRedactor(ReadOnlySpan<byte> line, int maxLength);

    /// <summary>
    /// IMAP: every line of <paramref name="received"/> as a trace line. A LOGIN or AUTHENTICATE line is redacted as in
    /// <see cref="RedactImapCommand"/>, and when it ends with a literal marker everything after it is hidden too (the
    /// literals are its arguments). A command line that is one base64 or b64token word (a SASL response sent after the
    /// exchange was refused or ended, a raw bearer token) is hidden; lines that continue a command after a literal are shown.
    /// </summary>
    public static IReadOnlyList<string> RedactImapLines(ReadOnlySpan<byte> received, int maxLength = ProtocolTraceFormatter.DefaultMaxLength)
        => RedactLines(received, RedactImapCommand, [], imapLiterals: true, maxLength);

    /// <summary>
    /// POP3: every line of <paramref name="received"/> as a trace line, redacted as in <see cref="RedactPop3Command"/>;
    /// a line that is one base64 word and no POP3 command (a SASL response out of turn) is hidden.
    /// </summary>
    public static IReadOnlyList<string> RedactPop3Lines(ReadOnlySpan<byte> received, int maxLength = ProtocolTraceFormatter.DefaultMaxLength)
        => RedactLines(received, RedactPop3Command, Pop3Verbs, imapLiterals: false, maxLength);

    /// <summary>
    /// SMTP: every line of <paramref name="received"/> as a trace line, redacted as in <see cref="RedactSmtpCommand"/>;
    /// a line that is one base64 word and no SMTP command (a SASL response out of turn) is hidden.
    /// </summary>
    public static IReadOnlyList<string> RedactSmtpLines(ReadOnlySpan<byte> received, int maxLength = ProtocolTraceFormatter.DefaultMaxLength)
        => RedactLines(received, RedactSmtpCommand, SmtpVerbs, imapLiterals: false, maxLength);

    /// <summary>
    /// IMAP (RFC 9051 §6.2.2, §6.2.3): <c>tag LOGIN args</c> becomes <c>tag LOGIN &lt;redacted&gt;</c>;
    /// <c>tag AUTHENTICATE mech initial-response</c> keeps tag and mechanism and hides the response.
    /// Command names match case-insensitively; every other command gives null.
    /// </summary>
    public static string? RedactImapCommand(ReadOnlySpan<byte> line, int maxLength = ProtocolTraceFormatter.DefaultMaxLength)
    {
        line = ProtocolTraceFormatter.TrimLineEnding(line);
        var tagEnd = line.IndexOf((byte)' ');
        if (tagEnd <= 0)
        {
            return null;
        }

        var commandStart = tagEnd + 1;
        var commandLength = line[commandStart..].IndexOf((byte)' ');
        if (commandLength < 0)
        {
            return null; // a command without arguments carries no secret
        }

        var command = line.Slice(commandStart, commandLength);
        var argumentsStart = commandStart + commandLength + 1;
        if (Ascii.EqualsIgnoreCase(command, "LOGIN"u8))
        {
            return Redact(line[..argumentsStart], maxLength);
        }

        return Ascii.EqualsIgnoreCase(command, "AUTHENTICATE"u8) ? RedactSaslArguments(line, argumentsStart, maxLength) : null;
    }

    /// <summary>
    /// POP3: <c>PASS secret</c> becomes <c>PASS &lt;redacted&gt;</c> (RFC 1939 §7: the password may contain
    /// spaces, so all of it); <c>AUTH mech initial-response</c> hides the response (RFC 5034 §4);
    /// <c>APOP name digest</c> hides the digest (RFC 1939 §7). Command names match case-insensitively; every
    /// other command gives null.
    /// </summary>
    public static string? RedactPop3Command(ReadOnlySpan<byte> line, int maxLength = ProtocolTraceFormatter.DefaultMaxLength)
    {
        line = ProtocolTraceFormatter.TrimLineEnding(line);
        var commandLength = line.IndexOf((byte)' ');
        if (commandLength <= 0)
        {
            return null;
        }

        var command = line[..commandLength];
        var argumentsStart = commandLength + 1;
        if (Ascii.EqualsIgnoreCase(command, "PASS"u8))
        {
            return Redact(line[..argumentsStart], maxLength);
        }

        if (Ascii.EqualsIgnoreCase(command, "AUTH"u8))
        {
            return RedactSaslArguments(line, argumentsStart, maxLength);
        }

        if (Ascii.EqualsIgnoreCase(command, "APOP"u8))
        {
            // A malformed APOP with a single argument may be the digest alone: hide it too.
            var nameLength = line[argumentsStart..].IndexOf((byte)' ');
            return Redact(nameLength <= 0 ? line[..argumentsStart] : line[..(argumentsStart + nameLength + 1)], maxLength);
        }

        return null;
    }

    /// <summary>
    /// SMTP (RFC 4954 §4): <c>AUTH mech initial-response</c> keeps the mechanism and hides the response.
    /// Every other command gives null.
    /// </summary>
    public static string? RedactSmtpCommand(ReadOnlySpan<byte> line, int maxLength = ProtocolTraceFormatter.DefaultMaxLength)
    {
        line = ProtocolTraceFormatter.TrimLineEnding(line);
        var commandLength = line.IndexOf((byte)' ');
        if (commandLength <= 0 || !Ascii.EqualsIgnoreCase(line[..commandLength], "AUTH"u8))
        {
            return null;
        }

        return RedactSaslArguments(line, commandLength + 1, maxLength);
    }

    /// <summary>
    /// Splits at every LF (a CR before it dropped): a bare LF ends a line here even where the protocol would not, so
    /// that a secret after one is judged as a line of its own.
    /// </summary>
    private static List<string> RedactLines(ReadOnlySpan<byte> received, LineRedactor redact, string[] verbs, bool imapLiterals, int maxLength)
    {
        var lines = new List<string>();
        var continuesCommand = false;
        while (!received.IsEmpty)
        {
            var end = received.IndexOf((byte)'\n');
            var line = end < 0 ? received : received[..end];
            received = end < 0 ? default : received[(end + 1)..];
            if (!line.IsEmpty && line[^1] == '\r')
            {
                line = line[..^1];
            }

            if (redact(line, maxLength) is { } redacted)
            {
                lines.Add(redacted);
                if (imapLiterals && EndsWithLiteralMarker(line))
                {
                    // RFC 9051 §4.3: the literals that follow are the command's arguments, secrets included.
                    if (!received.IsEmpty)
                    {
                        lines.Add(RedactedMarker);
                    }

                    break;
                }

                continuesCommand = false;
                continue;
            }

            lines.Add(!continuesCommand && IsLoneSaslResponse(line, verbs) ? RedactedMarker : ProtocolTraceFormatter.Escape(line, maxLength));
            continuesCommand = imapLiterals && EndsWithLiteralMarker(line);
        }

        return lines;
    }

    /// <summary>One word of base64 or b64token characters that is not one of <paramref name="verbs"/>.</summary>
    private static bool IsLoneSaslResponse(ReadOnlySpan<byte> line, string[] verbs)
    {
        if (line.IsEmpty || line.ContainsAnyExcept(Base64Chars))
        {
            return false;
        }

        foreach (var verb in verbs)
        {
            if (Ascii.EqualsIgnoreCase(line, verb))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>RFC 9051 §9 literal / RFC 7888 literal+ and literal- / RFC 3516 literal8: <c>[~]{digits[+|-]}</c> at the end.</summary>
    private static bool EndsWithLiteralMarker(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty || line[^1] != '}')
        {
            return false;
        }

        var open = line.LastIndexOf((byte)'{');
        if (open < 0)
        {
            return false;
        }

        var inside = line[(open + 1)..^1];
        if (!inside.IsEmpty && inside[^1] is (byte)'+' or (byte)'-')
        {
            inside = inside[..^1];
        }

        return !inside.IsEmpty && !inside.ContainsAnyExceptInRange((byte)'0', (byte)'9');
    }

    /// <summary>
    /// <c>mech [SP initial-response]</c> starting at <paramref name="argumentsStart"/>: null when only a
    /// mechanism name follows; otherwise everything after the mechanism and its space is hidden. Anything that
    /// does not start with a well-formed mechanism name and a space is hidden whole, so a client that puts a
    /// secret in an odd place does not get it traced.
    /// </summary>
    private static string? RedactSaslArguments(ReadOnlySpan<byte> line, int argumentsStart, int maxLength)
    {
        var arguments = line[argumentsStart..];
        var mechanismLength = arguments.IndexOfAnyExcept(MechanismChars);
        if (mechanismLength < 0)
        {
            // Only a mechanism name: the secrets come on continuation lines.
            return arguments.Length <= MaxMechanismLength ? null : Redact(line[..argumentsStart], maxLength);
        }

        if (mechanismLength == 0 || mechanismLength > MaxMechanismLength || arguments[mechanismLength] != ' ')
        {
            return Redact(line[..argumentsStart], maxLength);
        }

        return Redact(line[..(argumentsStart + mechanismLength + 1)], maxLength);
    }

    /// <summary>Escapes <paramref name="kept"/> followed by the marker, as one trace line.</summary>
    private static string Redact(ReadOnlySpan<byte> kept, int maxLength)
    {
        var marker = "<redacted>"u8;
        var length = kept.Length + marker.Length;
        byte[]? rented = null;
        var buffer = length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            kept.CopyTo(buffer);
            marker.CopyTo(buffer[kept.Length..]);
            return ProtocolTraceFormatter.Escape(buffer[..length], maxLength);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
