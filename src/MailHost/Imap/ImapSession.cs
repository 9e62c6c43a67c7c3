using System.Buffers;
using System.Collections.Frozen;
using System.Data.Common;
using System.IO.Compression;
using System.IO.Pipelines;
using MailHost.Connections;
using MailHost.Protocols.Imap;
using MailHost.Protocols.Text;
using MailHost.Sessions;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace MailHost.Imap;

/// <summary>
/// One IMAP connection: IMAP4rev2 (RFC 9051) and IMAP4rev1 (RFC 3501) with the extensions listed in
/// <see cref="ImapCapabilityList"/>. The session reads commands, gates them by state and routes each to its handler
/// (<see cref="Routes"/>); the handlers share what they must through <see cref="ImapSessionState"/>.
/// </summary>
/// <remarks>
/// Invariants:
/// <list type="bullet">
/// <item>Commands are parsed only by <see cref="ImapCommandParser"/> and answered only through <see cref="ImapResponseWriter"/>,
/// so every client string goes back quoted or as a literal (SECURITY E3).</item>
/// <item>A command runs only in the states <see cref="ImapCommandTable"/> allows.</item>
/// <item>Credentials are accepted only over TLS unless the operator allows plain text (LOGINDISABLED otherwise).</item>
/// <item>After STARTTLS nothing read before the handshake survives: the transport drops unread bytes and the parser is reset (SECURITY A1-A3).</item>
/// <item>Responses are flushed when no further pipelined command is buffered (one flush per batch), or sooner once
/// 64 KiB are buffered; no command is read while a flush waits for the client, and a flush waits at most the write
/// timeout (<see cref="MailOutputFlusher"/>).</item>
/// <item>The store speaks UIDs; the session owns sequence numbers (<see cref="ImapSequenceTracker"/>) and sends EXPUNGE only where RFC 9051 §7.5.1 allows.</item>
/// <item>Only the session touches the transport; handlers write through <see cref="ImapSessionState.Writer"/>, and the few
/// that need more get the narrow <see cref="IImapConnection"/>.</item>
/// </list>
/// </remarks>
internal sealed class ImapSession : IImapConnection, IDisposable
{
    private readonly MailSessionConnection _connection;
    private readonly ImapOptions _options;
    private readonly ILogger _logger;
    private readonly ImapCommandParser _parser;
    private readonly ImapSessionState _session;
    private readonly ImapCommandHandlers _handlers;

    // The client's input: the connection's, or after COMPRESS the inflated one (RFC 4978).
    private PipeReader _input;
    private bool _compressed;

    // True when the last read looked at every buffered byte without consuming it: wait for new bytes.
    private bool _examinedAll;

    // An APPEND completed after the server began to stop: the BYE that follows counts it as a finished transfer.
    private bool _appendEndedWhileStopping;

    public ImapSession(ConnectionContext connection, ImapServices services, CancellationToken stopping)
    {
        _connection = new MailSessionConnection(connection, services.Connection, stopping);
        _options = services.Options;
        _logger = services.Logger;
        _parser = new ImapCommandParser(new ImapParserOptions
        {
            MaxLineLength = _options.MaxLineLength,
            MaxLiteralSize = _options.MaxLiteralSize,
            MaxLiteralSizeUnauthenticated = _options.MaxLiteralSizeBeforeAuthentication,
            MaxAppendSize = _options.MaxAppendSize,
            MaxNestingDepth = _options.MaxNestingDepth,
        });
        _input = _connection.Input;
        _session = new ImapSessionState(_connection.Info, _parser, NewOutput(_connection.Output), stopping, _connection.ShutdownDeadline);
        _handlers = new ImapCommandHandlers(_session, services, this);
    }

    private enum ReadOutcome
    {
        Command,
        Error,
        Closed,
        TimedOut,
        Stopping,

        // The server's shutdown deadline passed in the middle of an APPEND literal: nothing of it is answered.
        TransferCut,
    }

    /// <summary>
    /// The one place a command is routed: its type to the handler that runs it, grouped as RFC 9051 §6 groups the
    /// commands. <see cref="ImapCommandTable"/> says in which states each may run; the two name the same commands.
    /// Static lambdas: routing a command allocates nothing.
    /// </summary>
    internal static FrozenDictionary<Type, Func<ImapCommandHandlers, ImapCommand, Task>> Routes { get; } = new Dictionary<Type, Func<ImapCommandHandlers, ImapCommand, Task>>
    {
        // §6.1: any state.
        [typeof(CapabilityCommand)] = static (h, c) => h.AnyState.CapabilityAsync((CapabilityCommand)c),
        [typeof(NoopCommand)] = static (h, c) => h.AnyState.NoopAsync((NoopCommand)c),
        [typeof(LogoutCommand)] = static (h, c) => h.AnyState.LogoutAsync((LogoutCommand)c),
        [typeof(IdCommand)] = static (h, c) => h.AnyState.IdAsync((IdCommand)c),

        // §6.2: not authenticated.
        [typeof(StartTlsCommand)] = static (h, c) => h.Login.StartTlsAsync((StartTlsCommand)c),
        [typeof(AuthenticateCommand)] = static (h, c) => h.Login.AuthenticateAsync((AuthenticateCommand)c),
        [typeof(LoginCommand)] = static (h, c) => h.Login.LoginAsync((LoginCommand)c),

        // §6.3: authenticated.
        [typeof(EnableCommand)] = static (h, c) => h.Enable.EnableAsync((EnableCommand)c),
        [typeof(SelectCommand)] = static (h, c) => h.Select.SelectAsync((SelectCommand)c),
        [typeof(ExamineCommand)] = static (h, c) => h.Select.ExamineAsync((ExamineCommand)c),
        [typeof(CreateCommand)] = static (h, c) => h.Mailboxes.CreateAsync((CreateCommand)c),
        [typeof(DeleteCommand)] = static (h, c) => h.Mailboxes.DeleteAsync((DeleteCommand)c),
        [typeof(RenameCommand)] = static (h, c) => h.Mailboxes.RenameAsync((RenameCommand)c),
        [typeof(SubscribeCommand)] = static (h, c) => h.Mailboxes.SubscribeAsync((SubscribeCommand)c),
        [typeof(UnsubscribeCommand)] = static (h, c) => h.Mailboxes.UnsubscribeAsync((UnsubscribeCommand)c),
        [typeof(ListCommand)] = static (h, c) => h.List.ListAsync((ListCommand)c),
        [typeof(LsubCommand)] = static (h, c) => h.List.LsubAsync((LsubCommand)c),
        [typeof(NamespaceCommand)] = static (h, c) => h.List.NamespaceAsync((NamespaceCommand)c),
        [typeof(StatusCommand)] = static (h, c) => h.Status.StatusAsync((StatusCommand)c),
        [typeof(AppendCommand)] = static (h, c) => h.Append.CompleteAsync((AppendCommand)c),
        [typeof(IdleCommand)] = static (h, c) => h.Idle.IdleAsync((IdleCommand)c),
        [typeof(GetQuotaCommand)] = static (h, c) => h.Quota.GetQuotaAsync((GetQuotaCommand)c),
        [typeof(GetQuotaRootCommand)] = static (h, c) => h.Quota.GetQuotaRootAsync((GetQuotaRootCommand)c),
        [typeof(SetQuotaCommand)] = static (h, c) => h.Quota.SetQuotaAsync((SetQuotaCommand)c),
        [typeof(CompressCommand)] = static (h, c) => h.Compress.CompressAsync((CompressCommand)c),

        // §6.4: selected.
        [typeof(CheckCommand)] = static (h, c) => h.Expunge.CheckAsync((CheckCommand)c),
        [typeof(CloseCommand)] = static (h, c) => h.Expunge.CloseAsync((CloseCommand)c),
        [typeof(UnselectCommand)] = static (h, c) => h.Expunge.UnselectAsync((UnselectCommand)c),
        [typeof(ExpungeCommand)] = static (h, c) => h.Expunge.ExpungeAsync((ExpungeCommand)c),
        [typeof(SearchCommand)] = static (h, c) => h.Search.SearchAsync((SearchCommand)c),
        [typeof(FetchCommand)] = static (h, c) => h.Fetch.FetchAsync((FetchCommand)c),
        [typeof(StoreCommand)] = static (h, c) => h.Store.StoreAsync((StoreCommand)c),
        [typeof(CopyCommand)] = static (h, c) => h.Copy.CopyAsync((CopyCommand)c),
        [typeof(MoveCommand)] = static (h, c) => h.Copy.MoveAsync((MoveCommand)c),
        [typeof(SortCommand)] = static (h, c) => h.Sort.SortAsync((SortCommand)c),
        [typeof(ThreadCommand)] = static (h, c) => h.Sort.ThreadAsync((ThreadCommand)c),
    }.ToFrozenDictionary();

    /// <summary>Runs the session to its end; transport faults propagate to the connection middleware.</summary>
    public async Task RunAsync()
    {
        try
        {
            if (_connection.IsStopping)
            {
                // RFC 9051 §7.1.5: BYE may be the greeting of a server that will not serve the connection.
                SayGoodbye(MailShutdownOutcome.Idle, "server shutting down");
                await _session.Output.FlushAsync().ConfigureAwait(false);
                return;
            }

            // RFC 9051 §7.1.1: the greeting may carry the capabilities, saving a round trip.
            _session.Writer.WriteUntagged(ImapResponseStatus.Ok, CapabilityCode(), "MailHost IMAP server ready");
            await LoopAsync().ConfigureAwait(false);
            await _session.Output.FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            await _session.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task LoopAsync()
    {
        while (_session.State != ImapState.Logout)
        {
            var (outcome, command, error) = await ReadCommandAsync().ConfigureAwait(false);
            switch (outcome)
            {
                case ReadOutcome.Closed:
                    return;
                case ReadOutcome.TimedOut:
                    // RFC 9051 §5.4: autologout with an untagged BYE.
                    _session.Writer.WriteUntagged(ImapResponseStatus.Bye, null, "Autologout; idle for too long");
                    ImapLog.Closing(_logger, "idle timeout");
                    MailHostMetrics.TimedOut(_connection.Info, MailHostMetrics.IdleReason);
                    return;
                case ReadOutcome.Stopping when _appendEndedWhileStopping:
                    SayGoodbye(MailShutdownOutcome.TransferFinished, "server shutting down after the APPEND in progress ended");
                    return;
                case ReadOutcome.Stopping:
                    SayGoodbye(MailShutdownOutcome.Idle, "server shutting down");
                    return;
                case ReadOutcome.TransferCut:
                    SayGoodbye(MailShutdownOutcome.Cut, "server shutting down; the APPEND in progress did not finish within the shutdown timeout and was not answered");
                    return;
            }

            // The parser builds only the commands it knows, so the verb is one of a fixed set; whatever it refused is "other".
            MailHostMetrics.CommandReceived(_connection.Info.Endpoint.Protocol, command?.Name ?? MailHostMetrics.OtherCommand);
            if (_connection.IsHttpFirstCommand(outcome == ReadOutcome.Error && IsHttpRequest(error!)))
            {
                // ALPACA (SECURITY A6, T05): a browser or a cross-protocol attack; answer nothing that echoes it.
                ImapLog.Closing(_logger, "HTTP request on an IMAP port");
                return;
            }

            if (outcome == ReadOutcome.Error)
            {
                _session.Writer.WriteError(error!);
                if (error!.Resync == ImapResync.Close)
                {
                    ImapLog.Closing(_logger, error.Text);
                    return;
                }

                if (error.Status == ImapResponseStatus.Bad && CountBadCommand())
                {
                    return;
                }

                continue;
            }

            if (_handlers.Capabilities.IsHidden(command!))
            {
                // The account's client policy hides the extension: its command is answered like one this server
                // does not know, and counts like one.
                _session.Writer.WriteTagged(command!.Tag, ImapResponseStatus.Bad, null, "Command not supported");
                if (CountBadCommand())
                {
                    return;
                }

                continue;
            }

            if (!ImapCommandTable.IsAllowed(command!, _session.State))
            {
                _session.Writer.WriteTagged(command!.Tag, ImapResponseStatus.Bad, null, NotAllowedText(command));

                // After login a known command in the wrong state is the client's mistake about the state, valid syntax
                // that never counts toward closing the session. Before login it counts like an unknown command: no
                // client selects a mailbox before logging in, but another protocol's lines can read as IMAP (SECURITY T05).
                if ((!ImapCommandTable.IsKnown(command) || _session.State == ImapState.NotAuthenticated) && CountBadCommand())
                {
                    return;
                }

                continue;
            }

            // Only bad commands in a row close the session: a client that sends one unknown command now and then
            // (an old client's XLIST, a test suite's deliberate errors) keeps its session.
            _connection.ForgiveBadCommands();
            await RunCommandAsync(command!).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// RFC 9051 §7.1.5: the server is shutting down, so the untagged BYE with [UNAVAILABLE] (RFC 5530 §3) tells the
    /// client to come back later. Logged and counted for the stop's summary.
    /// </summary>
    private void SayGoodbye(MailShutdownOutcome outcome, string reason)
    {
        _session.Writer.WriteUntagged(ImapResponseStatus.Bye, "UNAVAILABLE", "Server shutting down");
        ImapLog.Closing(_logger, reason);
        _connection.RecordShutdown(outcome);
        _session.LogOut();
    }

    /// <summary>Releases the write-timeout timer; the session has ended.</summary>
    public void Dispose() => _connection.Dispose();

    /// <summary>An HTTP request line reads as tag = method, command = path: refused as an unknown command.</summary>
    private static bool IsHttpRequest(ImapParseError error)
        => error.Tag is "GET" or "POST" or "HEAD" or "PUT" or "DELETE" or "OPTIONS" or "CONNECT" or "PATCH" or "TRACE";

    private string NotAllowedText(ImapCommand command)
    {
        if (!ImapCommandTable.IsKnown(command))
        {
            return "Command not supported";
        }

        return _session.State switch
        {
            ImapState.NotAuthenticated => "Log in first",
            ImapState.Authenticated when ImapCommandTable.IsAllowed(command, ImapState.Selected) => "No mailbox selected",
            _ => "Command not allowed in this state",
        };
    }

    /// <summary>
    /// Counts a syntax error or unknown command (answered BAD); true (after writing BYE) when that makes too many in a
    /// row and the connection must close. A command of valid syntax never counts, whatever its answer.
    /// </summary>
    private bool CountBadCommand()
    {
        var limit = _session.State == ImapState.NotAuthenticated ? _options.MaxBadCommandsBeforeAuthentication : _options.MaxBadCommands;
        if (!_connection.CountBadCommand(limit))
        {
            return false;
        }

        _session.Writer.WriteUntagged(ImapResponseStatus.Bye, null, "Too many invalid commands");
        ImapLog.Closing(_logger, "too many invalid commands");
        return true;
    }

    private async Task RunCommandAsync(ImapCommand command)
    {
        try
        {
            await DispatchAsync(command).ConfigureAwait(false);
            _appendEndedWhileStopping |= command is AppendCommand && _connection.IsStopping;
        }
        catch (OperationCanceledException) when (_session.Stopping.IsCancellationRequested)
        {
            // The shutdown deadline cut the command's store work: no tagged response, which could claim what did not
            // happen; the client learns the outcome when it reconnects.
            SayGoodbye(MailShutdownOutcome.Cut, "server shutting down; the command in progress did not finish within the shutdown timeout and was not answered");
        }
        catch (Exception ex) when (ex is not (IOException or OperationCanceledException or ConnectionResetException or ObjectDisposedException))
        {
            // The error boundary of one command: the client gets a tagged NO and the session goes on. A database that
            // cannot be reached (the account directory on PostgreSQL) is temporary: RFC 5530 [UNAVAILABLE].
            var unavailable = ex is DbException or TimeoutException;
            ImapLog.StoreFailed(_logger, unavailable ? "UNAVAILABLE" : "SERVERBUG", ex.Message);
            _session.Writer.WriteTagged(
                command.Tag, ImapResponseStatus.No, unavailable ? "UNAVAILABLE" : "SERVERBUG", unavailable ? "Temporarily unavailable, try again later" : "Internal server error");
        }
    }

    private Task DispatchAsync(ImapCommand command)
    {
        if (Routes.TryGetValue(command.GetType(), out var route))
        {
            return route(_handlers, command);
        }

        // Unreachable while the routes and the state table name the same commands (the state gate refuses first).
        _session.Writer.WriteTagged(command.Tag, ImapResponseStatus.Bad, null, "Command not supported");
        return Task.CompletedTask;
    }

    /// <summary>The idle timeout of the current state (RFC 9051 §5.4).</summary>
    private TimeSpan IdleTimeout => _session.State == ImapState.NotAuthenticated
        ? _connection.Info.Endpoint.PreAuthenticationIdleTimeout
        : _options.AuthenticatedIdleTimeout;

    /// <summary>
    /// Reads until the parser has a command or an error, serving literal continuations and APPEND data meanwhile. Once
    /// an APPEND's first message literal is accepted the transfer is in progress: the rest of the command is read
    /// under a transfer deadline, which the server beginning to stop does not end (only its shutdown deadline does),
    /// so the APPEND may finish and be answered.
    /// </summary>
    private async ValueTask<(ReadOutcome Outcome, ImapCommand? Command, ImapParseError? Error)> ReadCommandAsync()
    {
        using var deadline = _connection.StartDeadline(IdleTimeout);
        MailReadDeadline? transfer = null;
        try
        {
            while (true)
            {
                var token = transfer?.Token ?? deadline.Token;
                ReadResult result;
                try
                {
                    result = await ReadAsync(token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    return (ExpiredOutcome(inTransfer: transfer is not null), null, null);
                }

                var buffer = result.Buffer;
                var reader = new SequenceReader<byte>(buffer);
                var discardedBefore = _parser.DiscardedByteCount;
                var status = _parser.TryParse(ref reader, out var command, out var error);
                // A command is traced whole at its end, so a LOGIN literal is redacted with its line (never traced alone).
                _connection.TraceCommandPart(buffer.Slice(0, reader.Position), _parser.DiscardedByteCount - discardedBefore, status is ImapParseStatus.Complete or ImapParseStatus.Error);
                _input.AdvanceTo(reader.Position);
                _examinedAll = false;
                switch (status)
                {
                    case ImapParseStatus.Complete:
                        return (ReadOutcome.Command, command, null);
                    case ImapParseStatus.Error:
                        return (ReadOutcome.Error, null, error);
                    case ImapParseStatus.ContinuationNeeded:
                        // RFC 9051 §7.5: the literal is within the limits; ask for it.
                        _session.Writer.WriteContinuation("Ready for literal data");
                        break;
                    case ImapParseStatus.AppendLiteral when transfer is null && _connection.IsStopping:
                        // No new transfer once the stop began: the client keeps the message and appends it later.
                        return (ReadOutcome.Stopping, null, null);
                    case ImapParseStatus.AppendLiteral:
                        transfer ??= _connection.StartTransferDeadline(deadline.Remaining);
                        try
                        {
                            await AppendLiteralAsync(_parser.PendingAppend!, transfer.Value.Token).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException) when (transfer.Value.IsExpired)
                        {
                            // The literal stopped arriving in time: the store kept nothing of it (RFC 9051 §6.3.12 asks
                            // for all of it or none), and no response claims otherwise.
                            return (ExpiredOutcome(inTransfer: true), null, null);
                        }

                        break;
                    default:
                        if (result.IsCompleted)
                        {
                            return (ReadOutcome.Closed, null, null);
                        }

                        break;
                }
            }
        }
        finally
        {
            transfer?.Dispose();
        }
    }

    /// <summary>Why a read's deadline ended: the stop (at once, or in a transfer at its deadline), or the idle timeout.</summary>
    private ReadOutcome ExpiredOutcome(bool inTransfer)
        => inTransfer && _connection.IsShutdownDeadlinePassed ? ReadOutcome.TransferCut
        : _connection.IsStopping && !inTransfer ? ReadOutcome.Stopping
        : ReadOutcome.TimedOut;

    /// <summary>
    /// Returns buffered bytes at once, unless responses have piled up: those go out first, and while the client does
    /// not read them nothing more is read from it (SECURITY rule 3). Flushes pending responses before waiting for the
    /// client. Reads the session's own input and output, which COMPRESS layers over the connection's.
    /// </summary>
    private ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken)
        => _connection.ReadAsync(_input, _session.Output.Pipe, _examinedAll, cancellationToken);

    /// <summary>Responses to <paramref name="pipe"/>, traced line by line, flushed within the write timeout.</summary>
    private ImapOutput NewOutput(PipeWriter pipe) => new(pipe, _connection.Trace, _connection.Flusher);

    /// <summary>The response code <c>CAPABILITY ...</c> for the greeting.</summary>
    private string CapabilityCode() => _handlers.Capabilities.Code();

    /// <summary>
    /// One APPEND message literal is next on the wire (RFC 9051 §6.3.12): the APPEND handler accepts it (then it streams
    /// from the input to the handler) or refuses it (then the parser drops it unread). <paramref name="readToken"/>
    /// ending throws <see cref="OperationCanceledException"/>.
    /// </summary>
    private async Task AppendLiteralAsync(ImapAppendMessage message, CancellationToken readToken)
    {
        var append = _handlers.Append;
        if (!await append.AcceptAsync(message).ConfigureAwait(false))
        {
            // SECURITY C3: a refused non-synchronizing literal is read and dropped by the parser, never run. The
            // command ends here, so does its trace: the next command is traced (and redacted) on its own.
            _parser.RejectLiteral();
            _connection.FlushCommandTrace();
            await append.RefuseAsync(message).ConfigureAwait(false);
            return;
        }

        var literal = new ImapLiteralStream(_input, message.Size, readToken);
        _connection.Trace.ReceivedPayload(message.Size, "APPEND message");
        await append.StoreAsync(message, literal).ConfigureAwait(false);
        await literal.DrainAsync().ConfigureAwait(false);
        _parser.CompleteAppendLiteral();
    }

    // IImapConnection: the transport operations STARTTLS, COMPRESS, AUTHENTICATE and IDLE need, and no handler else.
    bool IImapConnection.CanStartTls => _connection.Tls.CanStartTls;

    bool IImapConnection.IsCompressed => _compressed;

    async ValueTask<StartTlsOutcome> IImapConnection.StartTlsAsync(Func<ValueTask> sendReady)
    {
        var started = await _connection.StartTlsAsync(sendReady, checkHttpAgain: false).ConfigureAwait(false);
        if (started == StartTlsOutcome.Started)
        {
            // SECURITY A1: bytes sent before the handshake were dropped by the transport; forget the parser's state too.
            _input = _connection.Input;
            _session.UseOutput(NewOutput(_connection.Output));
            _parser.Reset();
        }

        return started;
    }

    void IImapConnection.StartCompression()
    {
        // RFC 4978 §4: the client starts compressing after it has read the OK, so nothing compressed is buffered yet.
        // Each flush of the writer is a DEFLATE sync flush, so every response batch reaches the client at once. The
        // transport's writer is the one responses have gone to (STARTTLS, if any, has replaced it already).
        var inflate = new DeflateStream(_input.AsStream(leaveOpen: true), CompressionMode.Decompress, leaveOpen: true);
        var deflate = new DeflateStream(_connection.Output.AsStream(leaveOpen: true), CompressionLevel.Fastest, leaveOpen: true);
        _input = PipeReader.Create(inflate, new StreamPipeReaderOptions(leaveOpen: true));
        _session.UseOutput(NewOutput(PipeWriter.Create(deflate, new StreamPipeWriterOptions(leaveOpen: true))));
        _examinedAll = false;
        _compressed = true;
    }

    async ValueTask<(ImapLineOutcome Outcome, int Length, ImapParseError? Error)> IImapConnection.ReadAuthenticateResponseAsync(
        string tag, byte[] line, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result;
            try
            {
                result = await ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return (_connection.IsStopping ? ImapLineOutcome.Stopping : ImapLineOutcome.TimedOut, 0, null);
            }

            var buffer = result.Buffer;
            var reader = new SequenceReader<byte>(buffer);
            var status = ImapCommandParser.TryParseAuthenticateResponse(ref reader, tag, line, out var written, out var error);
            _input.AdvanceTo(reader.Position, status == ImapParseStatus.Incomplete ? buffer.End : reader.Position);
            _examinedAll = status == ImapParseStatus.Incomplete;
            switch (status)
            {
                case ImapParseStatus.Complete:
                    _connection.Trace.ReceivedRedacted(ProtocolTraceRedactor.RedactedMarker);
                    return (ImapLineOutcome.Line, written, null);
                case ImapParseStatus.Error:
                    return (ImapLineOutcome.Error, 0, error);
                default:
                    if (result.IsCompleted)
                    {
                        return (ImapLineOutcome.Closed, 0, null);
                    }

                    break;
            }
        }
    }

    void IImapConnection.RecordShutdown(MailShutdownOutcome outcome) => _connection.RecordShutdown(outcome);

    async Task<(ImapLineOutcome Outcome, ImapParseError? Error)> IImapConnection.ReadIdleDoneAsync(string tag, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result;
            try
            {
                result = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return (_connection.IsStopping ? ImapLineOutcome.Stopping : ImapLineOutcome.TimedOut, null);
            }

            var buffer = result.Buffer;
            var reader = new SequenceReader<byte>(buffer);
            var status = ImapCommandParser.TryParseIdleDone(ref reader, tag, out var error);
            if (status == ImapParseStatus.Incomplete)
            {
                _input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    return (ImapLineOutcome.Closed, null);
                }

                continue;
            }

            _connection.Trace.Received(buffer.Slice(0, reader.Position).ToArray());
            _input.AdvanceTo(reader.Position);
            _examinedAll = false;
            return status == ImapParseStatus.Complete ? (ImapLineOutcome.Line, null) : (ImapLineOutcome.Error, error);
        }
    }
}
