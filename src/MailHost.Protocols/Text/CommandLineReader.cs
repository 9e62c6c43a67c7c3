using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace MailHost.Protocols.Text;

/// <summary>
/// The front end shared by the SMTP and POP3 command parsers: frames the next CRLF line of a command or of a SASL
/// response, with the limit of its kind, and refuses the characters no command line may hold. Pure; one instance per
/// connection (it remembers an over-long line being skipped); not thread-safe.
/// </summary>
/// <remarks>
/// Limits count the CRLF. A command line may be <c>maxCommandLineLength</c> octets; one starting with a
/// <c>parameterVerbs</c> entry and a space (SMTP's <c>MAIL</c> and <c>RCPT</c>, RFC 5321 §4.5.3.1.4 plus the room
/// extensions need) <c>maxParameterLineLength</c>; one starting with <c>AUTH </c> may carry a SASL initial response
/// of <c>maxAuthResponseLength</c> (RFC 4954 §4, RFC 5034 §4). The kind is decided on the first five octets, so a
/// limit holds before more than the limit is buffered (SECURITY C1).
/// </remarks>
internal sealed class CommandLineReader
{
    // RFC 4422 §3.1: a SASL mechanism name is 1 to 20 characters.
    private const int MaxMechanismLength = 20;

    // The verb and its space that decide a line's kind: "AUTH ", "MAIL ", "RCPT ".
    private const int HeadLength = 5;

    private readonly CrlfLineFramer _lines = new();
    private readonly long _maxCommandLine;
    private readonly long _maxAuthLine;
    private readonly long _maxAuthResponseLine;
    private readonly long _maxParameterLine;
    private readonly string[] _parameterVerbs;

    /// <param name="maxCommandLineLength">The limit of a command line, CRLF included.</param>
    /// <param name="maxAuthResponseLength">The longest SASL response (initial or answering a challenge), CRLF excluded.</param>
    /// <param name="maxParameterLineLength">The limit of a line of <paramref name="parameterVerbs"/>, CRLF included.</param>
    /// <param name="parameterVerbs">Four-letter verbs whose lines may be <paramref name="maxParameterLineLength"/> long.</param>
    public CommandLineReader(int maxCommandLineLength, int maxAuthResponseLength, int maxParameterLineLength = 0, params string[] parameterVerbs)
    {
        _maxCommandLine = maxCommandLineLength;
        _maxAuthResponseLine = (long)maxAuthResponseLength + 2;

        // "AUTH " mechanism SP initial-response CRLF.
        _maxAuthLine = Math.Max(maxCommandLineLength, HeadLength + MaxMechanismLength + 1 + _maxAuthResponseLine);
        _maxParameterLine = maxParameterLineLength;
        _parameterVerbs = parameterVerbs;
    }

    /// <summary>Whether the rest of an over-long line is being skipped.</summary>
    public bool IsDiscardingLongLine => _lines.IsDiscardingLongLine;

    /// <summary>Forgets a line being skipped (after STARTTLS the byte stream starts over).</summary>
    public void Reset() => _lines.Reset();

    /// <summary>Frames the next command line and checks its characters.</summary>
    /// <param name="buffer">Received bytes, starting where the previous call's <paramref name="consumed"/> ended.</param>
    /// <param name="consumed">
    /// Where to advance the pipe: after the line on every status but <see cref="CommandLineStatus.Incomplete"/>; on
    /// that one <c>buffer.Start</c>, or further when part of an over-long line was skipped.
    /// </param>
    /// <param name="line">The line, CRLF excluded, on <see cref="CommandLineStatus.Complete"/>; dispose it.</param>
    public CommandLineStatus TryReadCommand(in ReadOnlySequence<byte> buffer, out SequencePosition consumed, out CommandLine line)
    {
        line = default;
        var status = TryFrame(buffer, isAuthResponse: false, out consumed, out var framed);
        if (status != CommandLineStatus.Complete)
        {
            return status;
        }

        line = new CommandLine(framed);
        status = CheckCharacters(line.Text);
        if (status != CommandLineStatus.Complete)
        {
            line.Dispose();
        }

        return status;
    }

    /// <summary>
    /// Frames one line answering a SASL challenge (RFC 4954 §4, RFC 5034 §4): printable ASCII only (base64,
    /// <c>=</c> or the <c>*</c> that cancels).
    /// </summary>
    /// <param name="buffer">Received bytes.</param>
    /// <param name="consumed">As for <see cref="TryReadCommand"/>.</param>
    /// <param name="response">The line as sent on <see cref="CommandLineStatus.Complete"/>.</param>
    public CommandLineStatus TryReadAuthResponse(in ReadOnlySequence<byte> buffer, out SequencePosition consumed, out string? response)
    {
        response = null;
        var status = TryFrame(buffer, isAuthResponse: true, out consumed, out var framed);
        if (status != CommandLineStatus.Complete)
        {
            return status;
        }

        response = CrlfLineFramer.DecodePrintableAscii(framed, out var bareLineEnding);
        return response is not null ? CommandLineStatus.Complete
            : bareLineEnding ? CommandLineStatus.BareLineEnding
            : CommandLineStatus.InvalidCharacter;
    }

    /// <summary>
    /// The characters no command line may hold. The line was split at its first CRLF, so any CR or LF left is bare
    /// and the whole line is one error: one line never yields two commands (SECURITY B2).
    /// </summary>
    internal static CommandLineStatus CheckCharacters(ReadOnlySpan<byte> line)
    {
        if (line.IndexOfAny((byte)'\r', (byte)'\n') >= 0)
        {
            return CommandLineStatus.BareLineEnding;
        }

        if (line.IndexOfAnyInRange((byte)0, (byte)31) >= 0 || line.IndexOf((byte)127) >= 0 || !Utf8.IsValid(line))
        {
            return CommandLineStatus.InvalidCharacter;
        }

        return CommandLineStatus.Complete;
    }

    private CommandLineStatus TryFrame(in ReadOnlySequence<byte> input, bool isAuthResponse, out SequencePosition consumed, out ReadOnlySequence<byte> line)
    {
        line = default;
        var buffer = input;
        if (!_lines.TrySkipDiscarded(ref buffer, out consumed))
        {
            return CommandLineStatus.Incomplete;
        }

        var limit = isAuthResponse ? _maxAuthResponseLine : LineLimit(buffer);
        return _lines.TryReadLine(buffer, limit, out consumed, out line) switch
        {
            CrlfLineStatus.Complete => CommandLineStatus.Complete,
            CrlfLineStatus.TooLong => CommandLineStatus.TooLong,
            _ => CommandLineStatus.Incomplete,
        };
    }

    private long LineLimit(in ReadOnlySequence<byte> buffer)
    {
        if (buffer.Length < HeadLength)
        {
            return _maxCommandLine;
        }

        Span<byte> head = stackalloc byte[HeadLength];
        buffer.Slice(0, HeadLength).CopyTo(head);
        if (head[^1] != (byte)' ')
        {
            return _maxCommandLine;
        }

        ReadOnlySpan<byte> verb = head[..^1];
        foreach (var candidate in _parameterVerbs)
        {
            if (Ascii.EqualsIgnoreCase(verb, candidate))
            {
                return _maxParameterLine;
            }
        }

        return Ascii.EqualsIgnoreCase(verb, "AUTH"u8) ? _maxAuthLine : _maxCommandLine;
    }
}
