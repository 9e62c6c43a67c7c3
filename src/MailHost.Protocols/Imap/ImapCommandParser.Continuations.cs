using System.Buffers;
using System.Text;

namespace MailHost.Protocols.Imap;

public sealed partial class ImapCommandParser
{
    /// <summary>The longest line accepted while idling (<c>DONE</c> plus slack for clients that add spaces).</summary>
    public const int MaxIdleLineLength = 64;

    /// <summary>
    /// Reads the line that ends IDLE (RFC 2177 §3: <c>DONE</c>, case-insensitive). Incomplete consumes nothing.
    /// Complete: the DONE line was consumed. Error: the line was consumed and is not DONE
    /// (<c>BAD Expected DONE</c>, resync None), or no line end came within <see cref="MaxIdleLineLength"/> bytes
    /// (<c>BAD IDLE line too long</c>, close). Either way the session ends IDLE.
    /// </summary>
    public static ImapParseStatus TryParseIdleDone(ref SequenceReader<byte> reader, string idleTag, out ImapParseError? error)
    {
        error = null;
        var window = reader.UnreadSequence;
        if (window.Length > MaxIdleLineLength)
        {
            window = window.Slice(0, MaxIdleLineLength);
        }

        var lineFeed = window.PositionOf((byte)'\n');
        if (lineFeed is null)
        {
            if (reader.Remaining >= MaxIdleLineLength)
            {
                error = new ImapParseError(idleTag, ImapResponseStatus.Bad, null, ImapParseErrors.IdleLineTooLong, ImapResync.Close);
                return ImapParseStatus.Error;
            }

            return ImapParseStatus.Incomplete;
        }

        var line = window.Slice(0, lineFeed.Value);
        Span<byte> text = stackalloc byte[MaxIdleLineLength];
        line.CopyTo(text);
        text = text[..(int)line.Length];
        reader.Advance(line.Length + 1);
        if (Ascii.EqualsIgnoreCase(text, "DONE\r"u8))
        {
            return ImapParseStatus.Complete;
        }

        error = new ImapParseError(idleTag, ImapResponseStatus.Bad, null, ImapParseErrors.ExpectedDone, ImapResync.None);
        return ImapParseStatus.Error;
    }

    /// <summary>
    /// Reads one AUTHENTICATE client line (RFC 9051 §6.2.2: base64 text or <c>*</c> to cancel) into
    /// <paramref name="destination"/> without its CRLF; the session decodes it with the SASL wire format. Incomplete
    /// consumes nothing. Complete: <paramref name="written"/> bytes copied and the line consumed. Error: no line end
    /// within <paramref name="destination"/>'s length plus CRLF (<c>BAD Authentication response too long</c>, close),
    /// or a bare LF (<c>BAD Line must end with CRLF</c>, line consumed).
    /// </summary>
    public static ImapParseStatus TryParseAuthenticateResponse(
        ref SequenceReader<byte> reader, string authenticateTag, Span<byte> destination, out int written, out ImapParseError? error)
    {
        written = 0;
        error = null;
        var max = destination.Length + 2L;
        var window = reader.UnreadSequence;
        if (window.Length > max)
        {
            window = window.Slice(0, max);
        }

        var lineFeed = window.PositionOf((byte)'\n');
        if (lineFeed is null)
        {
            if (reader.Remaining >= max)
            {
                error = new ImapParseError(authenticateTag, ImapResponseStatus.Bad, null, ImapParseErrors.AuthenticateLineTooLong, ImapResync.Close);
                return ImapParseStatus.Error;
            }

            return ImapParseStatus.Incomplete;
        }

        var line = window.Slice(0, lineFeed.Value);
        reader.Advance(line.Length + 1);
        if (line.IsEmpty || line.Slice(line.Length - 1).FirstSpan[0] != '\r')
        {
            error = new ImapParseError(authenticateTag, ImapResponseStatus.Bad, null, ImapParseErrors.BareLineFeed, ImapResync.None);
            return ImapParseStatus.Error;
        }

        line = line.Slice(0, line.Length - 1);
        if (line.Length > destination.Length)
        {
            error = new ImapParseError(authenticateTag, ImapResponseStatus.Bad, null, ImapParseErrors.AuthenticateLineTooLong, ImapResync.None);
            return ImapParseStatus.Error;
        }

        line.CopyTo(destination);
        written = (int)line.Length;
        return ImapParseStatus.Complete;
    }
}
