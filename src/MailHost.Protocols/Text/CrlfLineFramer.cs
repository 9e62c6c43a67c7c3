using System.Buffers;

namespace MailHost.Protocols.Text;

/// <summary>
/// Frames command lines that end only at CRLF (SMTP, RFC 5321 §2.3.8; POP3, RFC 1939 §3), with a length limit
/// enforced before more than the limit is buffered (SECURITY.md C1). A line that passes the limit is refused once,
/// and its remainder is skipped by later calls, so the parser resynchronises at the next CRLF. One instance per
/// connection; not thread-safe.
/// </summary>
internal sealed class CrlfLineFramer
{
    /// <summary>Whether the rest of a refused over-long line is still being skipped.</summary>
    public bool IsDiscardingLongLine { get; private set; }

    /// <summary>Forgets a line being skipped (after STARTTLS the byte stream starts over).</summary>
    public void Reset() => IsDiscardingLongLine = false;

    /// <summary>
    /// Skips what is left of a refused line. Returns <see langword="false"/> while its end is not buffered yet
    /// (<paramref name="consumed"/> then says how much may go); otherwise <see langword="true"/> with
    /// <paramref name="buffer"/> starting after it.
    /// </summary>
    public bool TrySkipDiscarded(ref ReadOnlySequence<byte> buffer, out SequencePosition consumed)
    {
        consumed = buffer.Start;
        if (!IsDiscardingLongLine)
        {
            return true;
        }

        var skipper = new SequenceReader<byte>(buffer);
        if (!skipper.TryReadTo(out ReadOnlySequence<byte> _, "\r\n"u8, advancePastDelimiter: true))
        {
            // Keep a final CR: it may be the first half of the CRLF that ends the discarded line.
            consumed = EndsWithCr(buffer) ? buffer.GetPosition(buffer.Length - 1) : buffer.End;
            return false;
        }

        IsDiscardingLongLine = false;
        buffer = buffer.Slice(skipper.Position);
        consumed = buffer.Start;
        return true;
    }

    /// <summary>
    /// Frames the next line of at most <paramref name="limit"/> octets, CRLF included. On
    /// <see cref="CrlfLineStatus.Complete"/>, <paramref name="line"/> excludes the CRLF and <paramref name="consumed"/> is
    /// after it; on <see cref="CrlfLineStatus.Incomplete"/> nothing is consumed.
    /// </summary>
    public CrlfLineStatus TryReadLine(in ReadOnlySequence<byte> buffer, long limit, out SequencePosition consumed, out ReadOnlySequence<byte> line)
    {
        consumed = buffer.Start;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out line, "\r\n"u8, advancePastDelimiter: true))
        {
            if (buffer.Length < limit)
            {
                return CrlfLineStatus.Incomplete;
            }

            IsDiscardingLongLine = true;
            consumed = EndsWithCr(buffer) ? buffer.GetPosition(buffer.Length - 1) : buffer.End;
            return CrlfLineStatus.TooLong;
        }

        consumed = reader.Position;
        return line.Length + 2 > limit ? CrlfLineStatus.TooLong : CrlfLineStatus.Complete;
    }

    /// <summary>
    /// Decodes a line that must be printable ASCII (a SASL response: base64, <c>=</c> or <c>*</c>; RFC 4954 §4,
    /// RFC 5034 §4). Returns <see langword="null"/> for anything else; <paramref name="hasBareLineEnding"/> then says
    /// whether a bare CR or LF was the reason.
    /// </summary>
    public static string? DecodePrintableAscii(in ReadOnlySequence<byte> line, out bool hasBareLineEnding)
    {
        var bytes = line.ToArray();
        hasBareLineEnding = bytes.AsSpan().IndexOfAny((byte)'\r', (byte)'\n') >= 0;
        if (hasBareLineEnding || bytes.AsSpan().IndexOfAnyExceptInRange((byte)' ', (byte)'~') >= 0)
        {
            return null;
        }

        return System.Text.Encoding.ASCII.GetString(bytes);
    }

    private static bool EndsWithCr(in ReadOnlySequence<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return false;
        }

        // Copied, not read from FirstSpan: a slice that starts on a segment boundary may begin with an empty span.
        Span<byte> last = stackalloc byte[1];
        buffer.Slice(buffer.Length - 1).CopyTo(last);
        return last[0] == (byte)'\r';
    }
}
