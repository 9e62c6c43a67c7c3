using System.Text;

namespace MailHost.Filtering.ClamAv;

/// <summary>
/// Parses clamd's replies to z-prefixed commands: the text before the terminating NUL (clamd(8): "Clamd replies will
/// honour the requested terminator"). The parse is pure and never throws; what a reply means is a value.
/// </summary>
internal static class ClamdReply
{
    /// <summary>The longest signature name or error text kept; clamd's are far shorter.</summary>
    public const int MaxDetailLength = 100;

    // clamd(8), INSTREAM: the stream is named "stream" in the reply, as a file would be named by its path.
    private const string StreamPrefix = "stream: ";
    private const string FoundSuffix = " FOUND";
    private const string ErrorSuffix = " ERROR";
    private const string Clean = "stream: OK";

    // clamd(8): "do not exceed StreamMaxLength ... otherwise clamd will reply with INSTREAM size limit exceeded and
    // close the connection"; the full reply, as clamd 1.4 sends it, is "INSTREAM size limit exceeded. ERROR".
    private const string SizeLimitExceeded = "INSTREAM size limit exceeded.";

    /// <summary>The reply's octets before the NUL as text; clamd sends ASCII, anything else is kept octet for octet.</summary>
    public static string Decode(ReadOnlySpan<byte> reply) => Encoding.Latin1.GetString(reply);

    /// <summary>Parses the reply to <c>zINSTREAM</c>.</summary>
    public static ClamdScanResult ParseScan(string reply)
    {
        if (reply == Clean)
        {
            return new(ClamdScanStatus.Clean);
        }

        if (reply.StartsWith(StreamPrefix, StringComparison.Ordinal) && reply.EndsWith(FoundSuffix, StringComparison.Ordinal))
        {
            var name = reply[StreamPrefix.Length..^FoundSuffix.Length].Trim();
            return name.Length > 0
                ? new(ClamdScanStatus.Infected, Printable(name))
                : new(ClamdScanStatus.Malformed, Printable(reply));
        }

        if (reply.EndsWith(ErrorSuffix, StringComparison.Ordinal))
        {
            var text = reply[..^ErrorSuffix.Length].Trim();
            if (text == SizeLimitExceeded)
            {
                return new(ClamdScanStatus.SizeLimitExceeded);
            }

            // Scan errors name the stream ("stream: Can't allocate memory ERROR"); command errors do not.
            if (text.StartsWith(StreamPrefix, StringComparison.Ordinal))
            {
                text = text[StreamPrefix.Length..];
            }

            return new(ClamdScanStatus.Error, Printable(text));
        }

        return new(ClamdScanStatus.Malformed, Printable(reply));
    }

    /// <summary>
    /// <paramref name="text"/> made safe for an SMTP reply and a log line: printable ASCII (RFC 5321 §4.2 textstring),
    /// every other character as <c>?</c>, cut to <paramref name="maxLength"/> with <c>...</c>. Keeps a hostile or broken
    /// server from putting line breaks into our replies.
    /// </summary>
    public static string Printable(string text, int maxLength = MaxDetailLength)
    {
        var cut = text.Length > maxLength;
        var length = cut ? maxLength - 3 : text.Length;
        return string.Create(length + (cut ? 3 : 0), (text, cut), static (span, state) =>
        {
            var (source, isCut) = state;
            var end = isCut ? span.Length - 3 : span.Length;
            for (var i = 0; i < end; i++)
            {
                var c = source[i];
                span[i] = c is >= ' ' and <= '~' ? c : '?';
            }

            if (isCut)
            {
                "...".CopyTo(span[end..]);
            }
        });
    }
}
