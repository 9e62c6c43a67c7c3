using System.Buffers;
using System.Text;

namespace MailHost.Protocols.Text;

/// <summary>
/// Grammar shared by the SMTP and POP3 command parsers: the SASL <c>AUTH mechanism [initial-response]</c>
/// arguments (RFC 4954 §4, RFC 5034 §4), the recognition of HTTP sent to a mail port, and the name an unknown
/// command is logged under.
/// </summary>
internal static class LineCommandSyntax
{
    // RFC 4422 §3.1: a SASL mechanism name is 1 to 20 characters.
    private const int MaxMechanismLength = 20;

    // The longest verb an unknown command is reported under; anything longer is reported as empty.
    private const int MaxReportedVerbLength = 16;

    private static readonly string[] HttpMethods = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "PRI"];

    /// <summary>RFC 4422 §3.1: the characters of a SASL mechanism name (upper case on the wire, accepted in either case).</summary>
    public static SearchValues<byte> MechanismChars { get; } =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"u8);

    /// <summary>
    /// Parses <c>mechanism [SP initial-response]</c>: the mechanism upper-cased, the response as sent (one token of
    /// ASCII, at most <paramref name="maxResponseLength"/> octets).
    /// </summary>
    public static AuthArgumentsStatus TryParseAuthArguments(ReadOnlySpan<byte> arguments, int maxResponseLength, out string? mechanism, out string? initialResponse)
    {
        mechanism = null;
        initialResponse = null;
        var space = arguments.IndexOf((byte)' ');
        var name = space < 0 ? arguments : arguments[..space];
        if (name.IsEmpty || name.Length > MaxMechanismLength || name.ContainsAnyExcept(MechanismChars))
        {
            return AuthArgumentsStatus.Syntax;
        }

        if (space >= 0)
        {
            var response = arguments[(space + 1)..];
            if (response.Length > maxResponseLength)
            {
                return AuthArgumentsStatus.TooLong;
            }

            if (response.IsEmpty || response.IndexOf((byte)' ') >= 0 || !Ascii.IsValid(response))
            {
                return AuthArgumentsStatus.Syntax;
            }

            initialResponse = Encoding.ASCII.GetString(response);
        }

        mechanism = Encoding.ASCII.GetString(name).ToUpperInvariant();
        return AuthArgumentsStatus.Valid;
    }

    /// <summary>
    /// SECURITY A6 (ALPACA): whether the verb of a line starts an HTTP request (<paramref name="method"/> is the
    /// method) or is a header field such as <c>Host:</c> (<paramref name="method"/> is <c>header</c>).
    /// </summary>
    public static bool LooksLikeHttp(ReadOnlySpan<byte> verb, out string? method)
    {
        foreach (var candidate in HttpMethods)
        {
            if (verb.Length == candidate.Length && Ascii.EqualsIgnoreCase(verb, candidate))
            {
                method = candidate;
                return true;
            }
        }

        method = "header";
        return verb.Length > 1 && verb[^1] == (byte)':' && !verb[..^1].ContainsAnyExcept(MechanismChars);
    }

    /// <summary>An unknown verb as it may be logged: letters and digits, upper-cased, or empty for anything else.</summary>
    public static string SanitizeVerb(ReadOnlySpan<byte> verb)
    {
        if (verb.IsEmpty || verb.Length > MaxReportedVerbLength)
        {
            return string.Empty;
        }

        foreach (var b in verb)
        {
            if (!char.IsAsciiLetterOrDigit((char)b))
            {
                return string.Empty;
            }
        }

        return Encoding.ASCII.GetString(verb).ToUpperInvariant();
    }
}
