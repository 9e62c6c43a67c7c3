using System.Buffers;

namespace MailHost.Protocols.Text;

/// <summary>
/// Receives SMTP DATA content (RFC 5321 §4.1.1.4) incrementally: removes dot-stuffing (§4.5.2), finds the end of
/// data, and writes the message bytes to an <see cref="IBufferWriter{T}"/>. One instance per message; not thread-safe.
/// </summary>
/// <remarks>
/// <para>Contract:</para>
/// <list type="bullet">
/// <item>Input starts with the first byte after the <c>DATA</c> command line, so the first line may begin with a dot
/// (<c>.\r\n</c> right away is an empty message).</item>
/// <item>Only the exact bytes CR LF "." CR LF end the data (the first CR LF may be the end of the DATA command line).
/// A bare CR or LF never ends a line that could end the data, whatever <see cref="DotUnstufferOptions.BareLineEndings"/>
/// says; this is the defence against SMTP smuggling.</item>
/// <item>A leading dot is removed from a line that has other characters; a line that is only a dot but did not
/// qualify as the end (it began after a bare line ending, or ends with one) is kept as a literal <c>.</c> line.</item>
/// <item>Written bytes always have CRLF line endings: in <see cref="DotBareLineEnding.Normalize"/> mode a bare CR or LF
/// is written as CRLF; inside the header block (before the first empty line) it is written as a fold, CRLF and a
/// space before the next line, so it never starts a new header field (SECURITY B2). A final CRLF before the
/// end-of-data line belongs to the message.</item>
/// <item>After the first <see cref="Error"/>, nothing more is written but input is still consumed up to the end of
/// data, so the session can answer once and go on with the next command.</item>
/// </list>
/// </remarks>
public sealed class DotUnstuffer
{
    private const byte Cr = (byte)'\r';
    private const byte Lf = (byte)'\n';
    private const byte Dot = (byte)'.';

    private readonly DotUnstufferOptions _options;
    private State _state = State.LineStart;

    // True when the current line began right after an exact CRLF (or at the start of the content): only such a
    // line can be the end-of-data line.
    private bool _lineStartIsExact = true;
    private long _lineLength;
    private bool _lineCountedLong;

    // RFC 5322 §2.2: until the first empty line the content is the header block. A bare line ending there must
    // not create a new header field (SECURITY B2: "Subject: hi\nX-Injected: x" keeps X-Injected inside Subject),
    // so in Normalize mode it becomes a fold: CRLF now, and a space before the next line's first byte.
    private bool _inHeader = true;
    private bool _pendingFold;

    /// <summary>Creates an unstuffer with default options (normalise bare line endings, no size limit).</summary>
    public DotUnstuffer()
        : this(new DotUnstufferOptions())
    {
    }

    /// <summary>Creates an unstuffer with the given options.</summary>
    public DotUnstuffer(DotUnstufferOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxLineLength, 3);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxMessageSize);
        _options = options;
    }

    private enum State : byte
    {
        LineStart,
        LineDot,
        LineDotCr,
        InLine,
        InLineCr,
    }

    /// <summary>The first error seen, or <see cref="DotUnstuffError.None"/>.</summary>
    public DotUnstuffError Error { get; private set; }

    /// <summary>Whether the end-of-data line has been consumed.</summary>
    public bool IsCompleted { get; private set; }

    /// <summary>Message bytes written so far (CRLF line endings, stuffing removed). Stops growing after an error.</summary>
    public long MessageLength { get; private set; }

    /// <summary>How many lines were longer than <see cref="DotUnstufferOptions.MaxLineLength"/> (counted until an error).</summary>
    public int LongLineCount { get; private set; }

    /// <summary>How many bare CR or LF were seen (normalised in Normalize mode; in Reject mode the first one is the error).</summary>
    public int BareLineEndingCount { get; private set; }

    /// <summary>
    /// Consumes <paramref name="input"/> up to and including the end-of-data line, writing message bytes to
    /// <paramref name="output"/>.
    /// </summary>
    /// <param name="input">The next received bytes.</param>
    /// <param name="output">Receives message bytes (nothing after an error).</param>
    /// <param name="consumed">
    /// How many bytes of <paramref name="input"/> belong to the DATA content: all of them on
    /// <see cref="DotUnstuffStatus.NeedMoreData"/>; up to and including the final LF on <see cref="DotUnstuffStatus.Completed"/>.
    /// </param>
    /// <returns>Whether the end of data was reached. After completion further calls consume nothing.</returns>
    public DotUnstuffStatus Unstuff(ReadOnlySpan<byte> input, IBufferWriter<byte> output, out int consumed)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (IsCompleted)
        {
            consumed = 0;
            return DotUnstuffStatus.Completed;
        }

        var i = 0;
        while (i < input.Length)
        {
            var b = input[i];
            switch (_state)
            {
                case State.InLine:
                {
                    var run = input[i..].IndexOfAny(Cr, Lf);
                    if (run < 0)
                    {
                        run = input.Length - i;
                    }

                    if (run > 0)
                    {
                        Emit(input.Slice(i, run), output);
                        i += run;
                    }
                    else if (b == Cr)
                    {
                        _state = State.InLineCr;
                        i++;
                    }
                    else
                    {
                        BareLineEnding(output);
                        i++;
                    }

                    break;
                }

                case State.LineStart:
                    if (b == Dot)
                    {
                        _state = State.LineDot;
                        i++;
                    }
                    else if (b == Cr)
                    {
                        _state = State.InLineCr;
                        i++;
                    }
                    else if (b == Lf)
                    {
                        BareLineEnding(output);
                        i++;
                    }
                    else
                    {
                        _state = State.InLine;
                    }

                    break;

                case State.LineDot:
                    if (b == Cr)
                    {
                        _state = State.LineDotCr;
                        i++;
                    }
                    else if (b == Lf)
                    {
                        // ".\n": not an end of data (smuggling variant); the lone dot stays content.
                        Emit("."u8, output);
                        BareLineEnding(output);
                        i++;
                    }
                    else
                    {
                        // RFC 5321 §4.5.2: "If the first character is a period and there are other characters on the
                        // line, the first character is deleted."
                        _state = State.InLine;
                    }

                    break;

                case State.LineDotCr:
                    if (b == Lf)
                    {
                        i++;
                        if (_lineStartIsExact)
                        {
                            IsCompleted = true;
                            consumed = i;
                            return DotUnstuffStatus.Completed;
                        }

                        // "\n.\r\n": the dot line did not start after an exact CRLF, so it is text.
                        Emit("."u8, output);
                        LineEnd(output, exact: true);
                    }
                    else
                    {
                        // ".\r" then something else: a lone dot line ended by a bare CR. Reprocess b on a new line.
                        Emit("."u8, output);
                        BareLineEnding(output);
                    }

                    break;

                case State.InLineCr:
                    if (b == Lf)
                    {
                        i++;
                        LineEnd(output, exact: true);
                    }
                    else
                    {
                        // The pending CR was bare; b starts the next line.
                        BareLineEnding(output);
                    }

                    break;
            }
        }

        consumed = input.Length;
        return DotUnstuffStatus.NeedMoreData;
    }

    /// <summary>
    /// Consumes a multi-segment buffer (as a pipe hands it over); see <see cref="Unstuff(ReadOnlySpan{byte}, IBufferWriter{byte}, out int)"/>.
    /// </summary>
    /// <param name="input">The received bytes.</param>
    /// <param name="output">Receives message bytes.</param>
    /// <param name="consumed"><c>input.End</c> on NeedMoreData; the position right after the end-of-data line on Completed.</param>
    /// <returns>Whether the end of data was reached.</returns>
    public DotUnstuffStatus Unstuff(in ReadOnlySequence<byte> input, IBufferWriter<byte> output, out SequencePosition consumed)
    {
        var segmentStart = input.Start;
        var next = segmentStart;
        while (input.TryGet(ref next, out var memory))
        {
            if (Unstuff(memory.Span, output, out var used) == DotUnstuffStatus.Completed)
            {
                consumed = input.GetPosition(used, segmentStart);
                return DotUnstuffStatus.Completed;
            }

            segmentStart = next;
        }

        consumed = input.End;
        return IsCompleted ? DotUnstuffStatus.Completed : DotUnstuffStatus.NeedMoreData;
    }

    private void BareLineEnding(IBufferWriter<byte> output)
    {
        BareLineEndingCount++;
        if (_options.BareLineEndings == DotBareLineEnding.Reject)
        {
            Fail(DotUnstuffError.BareLineEnding);
        }

        var fold = _inHeader && _lineLength > 0;
        LineEnd(output, exact: false);
        _pendingFold = fold;
    }

    private void LineEnd(IBufferWriter<byte> output, bool exact)
    {
        if (_lineLength == 0 || _pendingFold)
        {
            // An empty line (a fold still pending means nothing followed it) ends the header block.
            _inHeader = false;
        }

        _pendingFold = false;
        Emit("\r\n"u8, output, countInLine: false);
        _lineLength = 0;
        _lineCountedLong = false;
        _lineStartIsExact = exact;
        _state = State.LineStart;
    }

    private void Emit(ReadOnlySpan<byte> bytes, IBufferWriter<byte> output, bool countInLine = true)
    {
        if (Error != DotUnstuffError.None)
        {
            return;
        }

        if (_pendingFold && countInLine && !bytes.IsEmpty)
        {
            _pendingFold = false;
            Emit(" "u8, output);
        }

        if (countInLine)
        {
            // Where in this span the line becomes too long, and where the message becomes too large: when both happen
            // here, the earlier byte decides (the size at a tie), so the count and the error are the same however the
            // input was split.
            var longAt = (long)_options.MaxLineLength - 2 - _lineLength;
            _lineLength += bytes.Length;
            if (!_lineCountedLong && _lineLength + 2 > _options.MaxLineLength && longAt < _options.MaxMessageSize - MessageLength)
            {
                _lineCountedLong = true;
                LongLineCount++;
                if (_options.RejectLongLines)
                {
                    Fail(DotUnstuffError.LineTooLong);
                    return;
                }
            }
        }

        if (bytes.Length > _options.MaxMessageSize - MessageLength)
        {
            Fail(DotUnstuffError.MessageTooLarge);
            return;
        }

        output.Write(bytes);
        MessageLength += bytes.Length;
    }

    private void Fail(DotUnstuffError error)
    {
        if (Error == DotUnstuffError.None)
        {
            Error = error;
        }
    }
}
