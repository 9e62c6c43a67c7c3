using System.Buffers;

namespace MailHost.Protocols.Text;

/// <summary>
/// Sends stored message bytes as a dot-stuffed multi-line body ending in <c>CRLF.CRLF</c> (POP3 RETR and TOP,
/// RFC 1939 §3; SMTP DATA as a client, RFC 5321 §4.5.2). Incremental: call <see cref="Write(ReadOnlySpan{byte}, IBufferWriter{byte})"/>
/// with the stored bytes in any pieces, then <see cref="Complete"/> once. One instance per message; not thread-safe.
/// </summary>
/// <remarks>
/// <para>What the receiver gets after unstuffing, for stored bytes <c>S</c>:</para>
/// <list type="bullet">
/// <item>If every line ending in <c>S</c> is CRLF and <c>S</c> is empty or ends with CRLF: exactly <c>S</c>.</item>
/// <item>Otherwise <c>S</c> with each bare CR and bare LF turned into CRLF and, if the last line has no line ending,
/// CRLF appended. Sending a bare line ending would let a lenient receiver see an end of data early (the client side
/// of SMTP smuggling, SECURITY A9).</item>
/// <item>With <see cref="DotStufferOptions.NulReplacement"/>, NUL bytes are replaced as well.</item>
/// </list>
/// </remarks>
public sealed class DotStuffer
{
    private const byte Cr = (byte)'\r';
    private const byte Lf = (byte)'\n';
    private const byte Dot = (byte)'.';

    private static readonly SearchValues<byte> LineBreaks = SearchValues.Create("\r\n"u8);
    private static readonly SearchValues<byte> LineBreaksAndNul = SearchValues.Create("\r\n\0"u8);

    private readonly byte? _nulReplacement;
    private readonly int? _topBodyLines;
    private bool _atLineStart = true;
    private bool _pendingCr;
    private bool _inHeader = true;
    private int _bodyLinesSent;
    private bool _done;
    private bool _completed;

    /// <summary>Creates a stuffer for a whole message, bytes sent as stored.</summary>
    public DotStuffer()
        : this(new DotStufferOptions())
    {
    }

    /// <summary>Creates a stuffer with the given options.</summary>
    public DotStuffer(DotStufferOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.NulReplacement is Cr or Lf or 0)
        {
            throw new ArgumentException("NulReplacement must not be CR, LF or NUL.", nameof(options));
        }

        if (options.TopBodyLines is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "TopBodyLines must not be negative.");
        }

        _nulReplacement = options.NulReplacement;
        _topBodyLines = options.TopBodyLines;
    }

    /// <summary>
    /// Writes the next stored bytes, dot-stuffed. Returns <see cref="DotStuffStatus.Done"/> once a TOP limit is
    /// reached (the rest of <paramref name="stored"/> and any later input is ignored).
    /// </summary>
    /// <exception cref="InvalidOperationException">After <see cref="Complete"/>.</exception>
    public DotStuffStatus Write(ReadOnlySpan<byte> stored, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        ThrowIfCompleted();
        var stops = _nulReplacement is null ? LineBreaks : LineBreaksAndNul;
        var i = 0;
        while (i < stored.Length)
        {
            if (_done)
            {
                return DotStuffStatus.Done;
            }

            var b = stored[i];
            if (_pendingCr)
            {
                // CRLF, or a bare CR which is sent as CRLF; in both cases the line ends here.
                _pendingCr = false;
                EndLine(output);
                if (b == Lf)
                {
                    i++;
                }

                continue;
            }

            if (b == Cr)
            {
                _pendingCr = true;
                i++;
                continue;
            }

            if (b == Lf)
            {
                EndLine(output);
                i++;
                continue;
            }

            if (_atLineStart && b == Dot)
            {
                // RFC 5321 §4.5.2 / RFC 1939 §3: a line starting with "." gets one more.
                output.Write("."u8);
            }

            _atLineStart = false;
            if (b == 0 && _nulReplacement is byte replacement)
            {
                output.Write([replacement]);
                i++;
                continue;
            }

            var run = stored[i..].IndexOfAny(stops);
            if (run < 0)
            {
                run = stored.Length - i;
            }

            output.Write(stored.Slice(i, run));
            i += run;
        }

        return _done ? DotStuffStatus.Done : DotStuffStatus.NeedMoreData;
    }

    /// <summary>Writes a multi-segment buffer of stored bytes; see <see cref="Write(ReadOnlySpan{byte}, IBufferWriter{byte})"/>.</summary>
    public DotStuffStatus Write(in ReadOnlySequence<byte> stored, IBufferWriter<byte> output)
    {
        foreach (var segment in stored)
        {
            if (Write(segment.Span, output) == DotStuffStatus.Done)
            {
                return DotStuffStatus.Done;
            }
        }

        ThrowIfCompleted();
        return _done ? DotStuffStatus.Done : DotStuffStatus.NeedMoreData;
    }

    /// <summary>
    /// Ends the body: a last line without a line ending gets CRLF, then the terminating <c>.CRLF</c> is written.
    /// Call exactly once, after the last <see cref="Write(ReadOnlySpan{byte}, IBufferWriter{byte})"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">When called twice.</exception>
    public void Complete(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        ThrowIfCompleted();
        if (!_done && (_pendingCr || !_atLineStart))
        {
            output.Write("\r\n"u8);
        }

        output.Write(".\r\n"u8);
        _completed = true;
    }

    private void EndLine(IBufferWriter<byte> output)
    {
        output.Write("\r\n"u8);
        var wasEmpty = _atLineStart;
        _atLineStart = true;
        if (_topBodyLines is not int limit)
        {
            return;
        }

        if (_inHeader)
        {
            // RFC 1939 §7 TOP: the header ends at the first empty line, which is sent, then N body lines.
            if (wasEmpty)
            {
                _inHeader = false;
                _done = limit == 0;
            }
        }
        else
        {
            _bodyLinesSent++;
            _done = _bodyLinesSent >= limit;
        }
    }

    private void ThrowIfCompleted()
    {
        if (_completed)
        {
            throw new InvalidOperationException("The body was already completed.");
        }
    }
}
