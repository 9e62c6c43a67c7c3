using System.Buffers;

namespace MailHost.Protocols.Imap;

/// <summary>
/// The incremental IMAP command parser of one connection (RFC 9051 §2.2, §4.3, §9; RFC 3501). Pure: no I/O, no time,
/// never throws for client input. Not thread-safe: one instance per connection, used by its session only.
/// </summary>
/// <remarks>
/// <para>
/// The session hands over whatever bytes it has with <see cref="TryParse"/>. The parser keeps the command read so far
/// in its own buffer (line text and small literals, bounded by <see cref="ImapParserOptions"/>), so
/// <see cref="ImapParseStatus.Incomplete"/> always consumes every byte offered and the next call resumes where it
/// stopped: any split of the input gives the same results. A call that returns anything else leaves the bytes after the
/// command unread.
/// </para>
/// <para>
/// Literals (RFC 9051 §4.3): a synchronizing <c>{N}</c> is checked against the limits first; over a limit the result is
/// an error, so the session never sends <c>+ </c> for it. Under the limits the result is
/// <see cref="ImapParseStatus.ContinuationNeeded"/>. A non-synchronizing <c>{N+}</c> (RFC 7888) never asks for a
/// continuation; refused, its N bytes and the rest of its command are read and dropped by the parser (SECURITY C3).
/// APPEND message data is never buffered: see <see cref="ImapParseStatus.AppendLiteral"/>.
/// </para>
/// <para>
/// Errors (exact texts): line over <see cref="ImapParserOptions.MaxLineLength"/>: <c>BAD [TOOBIG] Command line too long</c>,
/// close. Literal over the limit: <c>BAD [TOOBIG] Literal too big</c>; APPEND message over APPENDLIMIT after login:
/// <c>NO [TOOBIG] Message exceeds APPENDLIMIT</c>; buffered literals over the per-command total:
/// <c>BAD [TOOBIG] Too many literal bytes in one command</c>; LITERAL- violation:
/// <c>BAD [TOOBIG] Non-synchronizing literal over 4096 bytes (LITERAL-)</c>; malformed literal marker
/// (<c>{12a}</c>, <c>{-1}</c>, <c>{ 5}</c>): <c>BAD Invalid literal</c>, close (its length is unknown, so the stream cannot be
/// resynchronised safely). Nesting: <c>BAD Too much nesting</c>. Tag: <c>BAD Tag too long</c> (untagged).
/// NUL in an atom, quoted string or literal: <c>BAD NUL is not allowed here</c>. A line ended by a bare LF:
/// <c>BAD Line must end with CRLF</c>.
/// </para>
/// </remarks>
public sealed partial class ImapCommandParser
{
    private const int InitialBufferSize = 512;
    private const int RetainedBufferSize = 16 * 1024;

    private readonly ImapParserOptions _options;
    private byte[] _buffer = new byte[InitialBufferSize];
    private int _length;
    private Phase _phase;
    private long _literalRemaining;
    private long _lineBytes;
    private long _literalBytes;
    private bool _awaitingContinuation;
    private ImapParseError? _closeError;

    // Fragment scanning state: a fragment is the text between the command start (or a literal's end) and a LF.
    private int _fragmentStart;
    private bool _inQuote;
    private bool _escape;
    private int _braceIndex = -1;

    // APPEND state between message literals.
    private string? _appendTag;
    private string? _appendMailbox;
    private bool _appendCloseParen;
    private List<ImapAppendMessage>? _appendMessages;

    /// <summary>Creates a parser with <paramref name="options"/> (or <see cref="ImapParserOptions.Default"/>).</summary>
    public ImapCommandParser(ImapParserOptions? options = null) => _options = options ?? ImapParserOptions.Default;

    private enum Phase
    {
        Line,
        Literal,
        AwaitingAppend,
        AppendLine,
        DiscardLiteral,
        DiscardLine,
        Closed,
    }

    /// <summary>Set by the session after a successful login: switches literal limits to the authenticated ones.</summary>
    public bool IsAuthenticated { get; set; }

    /// <summary>
    /// Set by the session after <c>ENABLE UTF8=ACCEPT</c> or <c>ENABLE IMAP4rev2</c>: mailbox names are then read as
    /// NFC-normalised UTF-8 instead of modified UTF-7 (RFC 6855 §3, RFC 9051 §5.1).
    /// </summary>
    public bool Utf8Enabled { get; set; }

    /// <summary>The options in use.</summary>
    public ImapParserOptions Options => _options;

    /// <summary>After <see cref="ImapParseStatus.ContinuationNeeded"/>: the size of the literal the client will send.</summary>
    public long PendingLiteralSize { get; private set; }

    /// <summary>After <see cref="ImapParseStatus.AppendLiteral"/>: the message whose bytes the session must stream; null otherwise.</summary>
    public ImapAppendMessage? PendingAppend { get; private set; }

    /// <summary>
    /// Bytes dropped so far without being parsed: refused non-synchronizing literals and the rest of their commands
    /// (SECURITY C3). Within one <see cref="TryParse"/> call, dropped bytes always come first, so a caller that compares
    /// the count before and after a call knows how many of the consumed bytes were never a command (a trace must not
    /// show them: a refused literal may hold a password).
    /// </summary>
    public long DiscardedByteCount { get; private set; }

    /// <summary>The tag of the command being read, when its first fragment is in and the tag is valid; otherwise null.</summary>
    public string? CurrentTag => _appendTag ?? (_length > 0 ? ReadTag(_buffer.AsSpan(0, _length)) : null);

    /// <summary>
    /// Reads from <paramref name="reader"/> until a command is complete, the parser needs the session, or the bytes run
    /// out. See <see cref="ImapParseStatus"/> for each outcome; <paramref name="command"/> is set only with
    /// <see cref="ImapParseStatus.Complete"/>, <paramref name="error"/> only with <see cref="ImapParseStatus.Error"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called while an APPEND message awaits <see cref="CompleteAppendLiteral"/> or <see cref="RejectLiteral"/>.</exception>
    public ImapParseStatus TryParse(ref SequenceReader<byte> reader, out ImapCommand? command, out ImapParseError? error)
    {
        command = null;
        error = null;
        while (true)
        {
            switch (_phase)
            {
                case Phase.Closed:
                    error = _closeError;
                    return ImapParseStatus.Error;

                case Phase.AwaitingAppend:
                    throw new InvalidOperationException("The pending APPEND message must be completed or rejected first.");

                case Phase.Literal:
                {
                    var take = (int)Math.Min(_literalRemaining, reader.Remaining);
                    if (take > 0)
                    {
                        _awaitingContinuation = false;
                    }

                    Append(reader.UnreadSequence.Slice(0, take));
                    reader.Advance(take);
                    _literalRemaining -= take;
                    if (_literalRemaining > 0)
                    {
                        return ImapParseStatus.Incomplete;
                    }

                    _phase = Phase.Line;
                    StartFragment();
                    break;
                }

                case Phase.DiscardLiteral:
                {
                    var skip = Math.Min(_literalRemaining, reader.Remaining);
                    reader.Advance(skip);
                    _literalRemaining -= skip;
                    DiscardedByteCount += skip;
                    if (_literalRemaining > 0)
                    {
                        return ImapParseStatus.Incomplete;
                    }

                    _phase = Phase.DiscardLine;
                    _length = 0;
                    StartFragment();
                    break;
                }

                default:
                {
                    var discarding = _phase == Phase.DiscardLine;
                    var start = reader.Consumed;
                    var status = ReadFragment(ref reader, out error);
                    if (discarding)
                    {
                        DiscardedByteCount += reader.Consumed - start;
                    }

                    if (status != ImapParseStatus.Complete)
                    {
                        return status;
                    }

                    status = OnFragment(out command, out error);
                    if (status != ImapParseStatus.Incomplete)
                    {
                        return status;
                    }

                    break;
                }
            }
        }
    }

    /// <summary>
    /// After <see cref="ImapParseStatus.AppendLiteral"/>: the session has streamed exactly
    /// <see cref="ImapAppendMessage.Size"/> bytes; the next <see cref="TryParse"/> reads the rest of the command
    /// (another message under MULTIAPPEND, or the final CRLF).
    /// </summary>
    /// <exception cref="InvalidOperationException">No APPEND message is pending.</exception>
    public void CompleteAppendLiteral()
    {
        if (_phase != Phase.AwaitingAppend || PendingAppend is null)
        {
            throw new InvalidOperationException("No APPEND message is pending.");
        }

        (_appendMessages ??= []).Add(PendingAppend);
        PendingAppend = null;
        _phase = Phase.AppendLine;
        _length = 0;
        StartFragment();
    }

    /// <summary>
    /// Refuses the pending literal: after <see cref="ImapParseStatus.AppendLiteral"/> (the session answers the APPEND
    /// with NO/BAD itself), or after <see cref="ImapParseStatus.ContinuationNeeded"/> instead of sending <c>+ </c>.
    /// A synchronizing literal is simply never sent by the client; for a non-synchronizing one the parser drops its
    /// bytes and the rest of the command on the next <see cref="TryParse"/> calls. Returns how many literal bytes
    /// will be dropped (0 for a synchronizing literal).
    /// </summary>
    /// <exception cref="InvalidOperationException">No literal is pending.</exception>
    public long RejectLiteral()
    {
        if (_phase == Phase.AwaitingAppend && PendingAppend is not null)
        {
            var pending = PendingAppend;
            ResetCommand();
            if (pending.IsSynchronizing)
            {
                return 0;
            }

            _phase = Phase.DiscardLiteral;
            _literalRemaining = pending.Size;
            return pending.Size;
        }

        if (_phase == Phase.Literal && _awaitingContinuation)
        {
            ResetCommand();
            return 0;
        }

        throw new InvalidOperationException("No literal is pending.");
    }

    /// <summary>Forgets everything read so far (after STARTTLS, SECURITY A1). Keeps <see cref="IsAuthenticated"/> and <see cref="Utf8Enabled"/>.</summary>
    public void Reset()
    {
        ResetCommand();
        _closeError = null;
    }

    private void ResetCommand()
    {
        if (_buffer.Length > RetainedBufferSize)
        {
            _buffer = new byte[InitialBufferSize];
        }

        _length = 0;
        _lineBytes = 0;
        _literalBytes = 0;
        _literalRemaining = 0;
        _awaitingContinuation = false;
        _appendTag = null;
        _appendMailbox = null;
        _appendMessages = null;
        _appendCloseParen = false;
        PendingAppend = null;
        PendingLiteralSize = 0;
        _phase = Phase.Line;
        StartFragment();
    }

    private void StartFragment()
    {
        _fragmentStart = _length;
        _inQuote = false;
        _escape = false;
        _braceIndex = -1;
    }

    /// <summary>Copies bytes up to and including the next LF. Complete when the LF is in; Incomplete when all bytes were taken.</summary>
    private ImapParseStatus ReadFragment(ref SequenceReader<byte> reader, out ImapParseError? error)
    {
        error = null;
        var allowed = _options.MaxLineLength - _lineBytes;
        var window = reader.UnreadSequence;
        if (window.Length > allowed)
        {
            window = window.Slice(0, allowed);
        }

        var lineFeed = window.PositionOf((byte)'\n');
        if (lineFeed is null)
        {
            if (reader.Remaining >= allowed)
            {
                // SECURITY C1: the line cannot end within the limit; the stream cannot be resynchronised.
                // The bytes are taken first only so that the error can carry the tag.
                Scan(window);
                reader.Advance(window.Length);
                error = Fail(ImapResponseStatus.Bad, "TOOBIG", ImapParseErrors.LineTooLong, ImapResync.Close);
                return ImapParseStatus.Error;
            }

            Scan(window);
            _lineBytes += window.Length;
            reader.Advance(window.Length);
            return ImapParseStatus.Incomplete;
        }

        var line = window.Slice(0, window.GetPosition(1, lineFeed.Value));
        Scan(line);
        _lineBytes += line.Length;
        reader.Advance(line.Length);
        return ImapParseStatus.Complete;
    }

    /// <summary>Appends <paramref name="bytes"/> and tracks quoting and the last unquoted "{" for literal markers.</summary>
    private void Scan(in ReadOnlySequence<byte> bytes)
    {
        var start = _length;
        Append(bytes);
        var span = _buffer.AsSpan(start, _length - start);
        for (var i = 0; i < span.Length; i++)
        {
            var b = span[i];
            if (_inQuote)
            {
                if (_escape)
                {
                    _escape = false;
                }
                else if (b == '\\')
                {
                    _escape = true;
                }
                else if (b == '"')
                {
                    _inQuote = false;
                }
            }
            else if (b == '"')
            {
                _inQuote = true;
            }
            else if (b == '{')
            {
                _braceIndex = start + i;
            }
        }
    }

    private void Append(in ReadOnlySequence<byte> bytes)
    {
        var needed = _length + bytes.Length;
        if (needed > _buffer.Length)
        {
            var size = (int)Math.Max(needed, Math.Min((long)_buffer.Length * 2, int.MaxValue - 64));
            Array.Resize(ref _buffer, size);
        }

        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += (int)bytes.Length;
    }

    /// <summary>A whole fragment (ending in LF) is in the buffer: decide what it means.</summary>
    private ImapParseStatus OnFragment(out ImapCommand? command, out ImapParseError? error)
    {
        command = null;
        error = null;
        var fragmentLength = _length - _fragmentStart;
        var crlf = fragmentLength >= 2 && _buffer[_length - 2] == '\r';
        var content = _buffer.AsSpan(_fragmentStart, crlf ? fragmentLength - 2 : fragmentLength - 1);
        var marker = ImapLiteralMarker.Find(
            content,
            _inQuote || _braceIndex < 0 ? -1 : _braceIndex - _fragmentStart,
            out var markerStart,
            out var size,
            out var nonSynchronizing,
            out var binary);

        if (_phase == Phase.DiscardLine)
        {
            // Dropping the rest of a refused command: only a further non-synchronizing literal extends it.
            if (crlf && marker == 1 && nonSynchronizing)
            {
                _phase = Phase.DiscardLiteral;
                _literalRemaining = size;
                _length = 0;
                return ImapParseStatus.Incomplete;
            }

            ResetCommand();
            return ImapParseStatus.Incomplete;
        }

        if (!crlf)
        {
            error = Fail(ImapResponseStatus.Bad, null, ImapParseErrors.BareLineFeed, ImapResync.None);
            return ImapParseStatus.Error;
        }

        if (marker < 0)
        {
            error = Fail(ImapResponseStatus.Bad, null, ImapParseErrors.InvalidLiteral, ImapResync.Close);
            return ImapParseStatus.Error;
        }

        if (_phase == Phase.AppendLine)
        {
            return OnAppendLine(content, marker, markerStart, size, nonSynchronizing, binary, out command, out error);
        }

        if (marker == 1)
        {
            return OnLiteral(markerStart, size, nonSynchronizing, binary, out error);
        }

        return OnCommandEnd(out command, out error);
    }

    private ImapParseStatus OnCommandEnd(out ImapCommand? command, out ImapParseError? error)
    {
        command = null;
        error = null;
        if (_length == 2)
        {
            error = Fail(ImapResponseStatus.Bad, null, ImapParseErrors.EmptyLine, ImapResync.None);
            return ImapParseStatus.Error;
        }

        var reader = new ImapGrammarReader(_buffer.AsSpan(0, _length - 2), _options.MaxNestingDepth, Utf8Enabled);
        command = ImapCommandGrammar.Parse(ref reader, _options.MaxTagLength, out var tag);
        if (command is null)
        {
            error = new ImapParseError(tag, ImapResponseStatus.Bad, null, reader.Error ?? ImapParseErrors.InvalidString, ImapResync.None);
            ResetCommand();
            return ImapParseStatus.Error;
        }

        ResetCommand();
        return ImapParseStatus.Complete;
    }

    private ImapParseStatus OnLiteral(int markerStart, long size, bool nonSynchronizing, bool binary, out ImapParseError? error)
    {
        error = null;
        var command = _buffer.AsSpan(0, _fragmentStart + markerStart);
        if (ImapCommandGrammar.IsAppend(_buffer.AsSpan(0, _length)))
        {
            var reader = new ImapGrammarReader(command, _options.MaxNestingDepth, Utf8Enabled);
            var prefix = ImapCommandGrammar.ParseAppendPrefix(ref reader, _options.MaxTagLength, out var tag, out var mailbox, out var flags, out var date, out var utf8);
            if (prefix == ImapCommandGrammar.AppendPrefix.Error)
            {
                error = LiteralError(tag, ImapResponseStatus.Bad, null, reader.Error ?? ImapParseErrors.InvalidAppend, size, nonSynchronizing);
                return ImapParseStatus.Error;
            }

            if (prefix == ImapCommandGrammar.AppendPrefix.MessageLiteral)
            {
                _appendTag = tag;
                _appendMailbox = mailbox;
                return OnAppendMessage(flags, date, utf8, size, nonSynchronizing, binary, out error);
            }
        }

        if (CheckLiteralMinus(size, nonSynchronizing, out error))
        {
            return ImapParseStatus.Error;
        }

        if (binary)
        {
            error = LiteralError(CurrentTag, ImapResponseStatus.Bad, null, ImapParseErrors.UnexpectedLiteral8, size, nonSynchronizing);
            return ImapParseStatus.Error;
        }

        var limit = IsAuthenticated ? _options.MaxLiteralSize : _options.MaxLiteralSizeUnauthenticated;
        if (size > limit)
        {
            error = LiteralError(CurrentTag, ImapResponseStatus.Bad, "TOOBIG", ImapParseErrors.LiteralTooBig, size, nonSynchronizing);
            return ImapParseStatus.Error;
        }

        if (_literalBytes + size > _options.MaxLiteralBytesPerCommand)
        {
            error = LiteralError(CurrentTag, ImapResponseStatus.Bad, "TOOBIG", ImapParseErrors.TooManyLiteralBytes, size, nonSynchronizing);
            return ImapParseStatus.Error;
        }

        _literalBytes += size;
        _literalRemaining = size;
        _phase = Phase.Literal;
        if (nonSynchronizing)
        {
            return ImapParseStatus.Incomplete;
        }

        _awaitingContinuation = true;
        PendingLiteralSize = size;
        return ImapParseStatus.ContinuationNeeded;
    }

    private ImapParseStatus OnAppendLine(
        ReadOnlySpan<byte> content, int marker, int markerStart, long size, bool nonSynchronizing, bool binary,
        out ImapCommand? command, out ImapParseError? error)
    {
        command = null;
        error = null;
        if (_appendCloseParen)
        {
            // RFC 6855 §4: the ")" that closes "UTF8 (" follows the message data.
            if (content.IsEmpty || content[0] != ')')
            {
                error = Fail(ImapResponseStatus.Bad, null, ImapParseErrors.InvalidAppend, ImapResync.None);
                return ImapParseStatus.Error;
            }

            _appendCloseParen = false;
            _fragmentStart++;
            markerStart--;
            content = content[1..];
        }

        if (content.IsEmpty)
        {
            command = new AppendCommand(_appendTag!, _appendMailbox!, _appendMessages!);
            ResetCommand();
            return ImapParseStatus.Complete;
        }

        if (marker == 0)
        {
            error = Fail(ImapResponseStatus.Bad, null, ImapParseErrors.InvalidAppend, ImapResync.None);
            return ImapParseStatus.Error;
        }

        var reader = new ImapGrammarReader(_buffer.AsSpan(_fragmentStart, markerStart), _options.MaxNestingDepth, Utf8Enabled);
        if (!ImapCommandGrammar.ParseAppendMessageArguments(ref reader, out var flags, out var date, out var utf8))
        {
            error = LiteralError(_appendTag, ImapResponseStatus.Bad, null, reader.Error ?? ImapParseErrors.InvalidAppend, size, nonSynchronizing);
            return ImapParseStatus.Error;
        }

        return OnAppendMessage(flags, date, utf8, size, nonSynchronizing, binary, out error);
    }

    private ImapParseStatus OnAppendMessage(
        List<string> flags, DateTimeOffset? date, bool utf8, long size, bool nonSynchronizing, bool binary, out ImapParseError? error)
    {
        if (utf8 && (!binary || !Utf8Enabled))
        {
            // RFC 6855 §4: UTF8 (literal8), and only after ENABLE UTF8=ACCEPT.
            error = LiteralError(_appendTag, ImapResponseStatus.Bad, null, ImapParseErrors.InvalidAppend, size, nonSynchronizing);
            return ImapParseStatus.Error;
        }

        if (CheckLiteralMinus(size, nonSynchronizing, out error))
        {
            return ImapParseStatus.Error;
        }

        if (!IsAuthenticated && size > _options.MaxLiteralSizeUnauthenticated)
        {
            error = LiteralError(_appendTag, ImapResponseStatus.Bad, "TOOBIG", ImapParseErrors.LiteralTooBig, size, nonSynchronizing);
            return ImapParseStatus.Error;
        }

        if (size > _options.MaxAppendSize)
        {
            // RFC 7889 §4: a message over APPENDLIMIT is refused with a tagged NO [TOOBIG].
            error = LiteralError(_appendTag, ImapResponseStatus.No, "TOOBIG", ImapParseErrors.MessageTooBig, size, nonSynchronizing);
            return ImapParseStatus.Error;
        }

        var index = _appendMessages?.Count ?? 0;
        if (index >= _options.MaxAppendMessages)
        {
            error = LiteralError(_appendTag, ImapResponseStatus.Bad, null, ImapParseErrors.TooManyMessages, size, nonSynchronizing);
            return ImapParseStatus.Error;
        }

        PendingAppend = new ImapAppendMessage(_appendTag!, _appendMailbox!, index, flags, date, size, !nonSynchronizing, binary);
        _appendCloseParen = utf8;
        _phase = Phase.AwaitingAppend;
        _length = 0;
        StartFragment();
        return ImapParseStatus.AppendLiteral;
    }

    private bool CheckLiteralMinus(long size, bool nonSynchronizing, out ImapParseError? error)
    {
        error = null;
        if (_options.LiteralMinus && nonSynchronizing && size > ImapParserOptions.LiteralMinusMaxSize)
        {
            // RFC 7888 §4 (LITERAL-): a larger non-synchronizing literal gets a tagged BAD [TOOBIG]; its data is discarded.
            error = LiteralError(CurrentTag, ImapResponseStatus.Bad, "TOOBIG", ImapParseErrors.LiteralMinusTooBig, size, nonSynchronizing);
            return true;
        }

        return false;
    }

    /// <summary>An error at a literal marker: a refused non-synchronizing literal is discarded; a synchronizing one is never sent.</summary>
    private ImapParseError LiteralError(string? tag, ImapResponseStatus status, string? code, string text, long size, bool nonSynchronizing)
    {
        tag ??= CurrentTag;
        ResetCommand();
        if (!nonSynchronizing)
        {
            return new ImapParseError(tag, status, code, text, ImapResync.None);
        }

        _phase = Phase.DiscardLiteral;
        _literalRemaining = size;
        return new ImapParseError(tag, status, code, text, ImapResync.DiscardCommand, size);
    }

    private ImapParseError Fail(ImapResponseStatus status, string? code, string text, ImapResync resync)
    {
        var error = new ImapParseError(CurrentTag, status, code, text, resync);
        ResetCommand();
        if (resync == ImapResync.Close)
        {
            _phase = Phase.Closed;
            _closeError = error;
        }

        return error;
    }

    /// <summary>The tag at the start of <paramref name="command"/> when it is valid and followed by a space.</summary>
    private string? ReadTag(ReadOnlySpan<byte> command)
    {
        var space = command.IndexOf((byte)' ');
        if (space <= 0 || space > _options.MaxTagLength)
        {
            return null;
        }

        var reader = new ImapGrammarReader(_buffer.AsSpan(0, space), 1, utf8Names: false);
        return reader.ParseTag(_options.MaxTagLength, out var tag) && reader.AtEnd ? tag : null;
    }
}
