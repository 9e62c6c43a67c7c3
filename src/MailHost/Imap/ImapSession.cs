using System.Buffers;
using System.IO.Pipelines;
using MailHost.Authentication;
using MailHost.Connections;
using MailHost.Hosting;
using MailHost.Protocols.Imap;
using MailHost.Sessions;
using MailHost.Storage;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace MailHost.Imap;

/// <summary>
/// One IMAP connection: IMAP4rev2 (RFC 9051) and IMAP4rev1 (RFC 3501) with the extensions listed in
/// <see cref="Capabilities"/>. Split by command group: this file holds the loop and I/O; the authentication,
/// mailbox, message and IDLE commands live in the other parts.
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
/// <item>The store speaks UIDs; this session owns sequence numbers and sends EXPUNGE only where RFC 9051 §7.5.1 allows.</item>
/// </list>
/// </remarks>
internal sealed partial class ImapSession : IDisposable
{
    private readonly MailSessionConnection _connection;
    private readonly IMailConnectionFeature _info;
    private readonly IMailTlsFeature _tls;
    private readonly IMailStore _store;
    private readonly PasswordAuthenticator _passwords;
    private readonly SaslAuthenticator _sasl;
    private readonly ImapOptions _options;
    private readonly CancellationToken _stopping;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ProtocolTrace _trace;
    private readonly AuthenticationFailureCounter _failures;
    private readonly ImapCommandParser _parser;
    private readonly MailOutputFlusher _flusher;

    private PipeReader _input;
    private ImapOutput _output;
    private ImapResponseWriter _writer;
    private ImapState _state = ImapState.NotAuthenticated;
    private IMailAccount? _account;

    // True when the last read looked at every buffered byte without consuming it: wait for new bytes.
    private bool _examinedAll;

    public ImapSession(
        ConnectionContext connection,
        IMailStore store,
        PasswordAuthenticator passwords,
        SaslAuthenticator sasl,
        ImapOptions options,
        AuthenticationOptions authOptions,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory,
        CancellationToken stopping)
    {
        _logger = loggerFactory.CreateLogger<ImapSession>();
        _connection = new MailSessionConnection(
            connection,
            new MailSessionSettings { Protocol = MailProtocol.Imap, WriteTimeout = options.WriteTimeout, TimeProvider = timeProvider, LoggerFactory = loggerFactory, Logger = _logger },
            stopping);
        _info = _connection.Info;
        _tls = _connection.Tls;
        _trace = _connection.Trace;
        _flusher = _connection.Flusher;
        _store = store;
        _passwords = passwords;
        _sasl = sasl;
        _options = options;
        _stopping = stopping;
        _timeProvider = timeProvider;
        _failures = new AuthenticationFailureCounter(authOptions.MaxFailuresPerConnection);
        _parser = new ImapCommandParser(new ImapParserOptions
        {
            MaxLineLength = options.MaxLineLength,
            MaxLiteralSize = options.MaxLiteralSize,
            MaxLiteralSizeUnauthenticated = options.MaxLiteralSizeBeforeAuthentication,
            MaxAppendSize = options.MaxAppendSize,
            MaxNestingDepth = options.MaxNestingDepth,
        });
        _input = _connection.Input;
        _output = new ImapOutput(_connection.Output, _trace, _flusher);
        _writer = new ImapResponseWriter(_output);
    }

    private enum ReadOutcome
    {
        Command,
        Error,
        Closed,
        TimedOut,
        Stopping,
    }

    /// <summary>Runs the session to its end; transport faults propagate to the connection middleware.</summary>
    public async Task RunAsync()
    {
        try
        {
            if (_connection.IsStopping)
            {
                _writer.WriteUntagged(ImapResponseStatus.Bye, "UNAVAILABLE", "Server shutting down");
                await _output.FlushAsync().ConfigureAwait(false);
                return;
            }

            // RFC 9051 §7.1.1: the greeting may carry the capabilities, saving a round trip.
            _writer.WriteUntagged(ImapResponseStatus.Ok, CapabilityCode(), "MailHost IMAP server ready");
            await LoopAsync().ConfigureAwait(false);
            await _output.FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            await CloseMailboxAsync().ConfigureAwait(false);
            if (_account is not null)
            {
                await _account.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task LoopAsync()
    {
        while (_state != ImapState.Logout)
        {
            var (outcome, command, error) = await ReadCommandAsync().ConfigureAwait(false);
            switch (outcome)
            {
                case ReadOutcome.Closed:
                    return;
                case ReadOutcome.TimedOut:
                    // RFC 9051 §5.4: autologout with an untagged BYE.
                    _writer.WriteUntagged(ImapResponseStatus.Bye, null, "Autologout; idle for too long");
                    ImapLog.Closing(_logger, "idle timeout");
                    MailHostMetrics.TimedOut(_info, MailHostMetrics.IdleReason);
                    return;
                case ReadOutcome.Stopping:
                    _writer.WriteUntagged(ImapResponseStatus.Bye, "UNAVAILABLE", "Server shutting down");
                    ImapLog.Closing(_logger, "server shutting down");
                    return;
            }

            if (_connection.IsHttpFirstCommand(outcome == ReadOutcome.Error && IsHttpRequest(error!)))
            {
                // ALPACA (SECURITY A6, T05): a browser or a cross-protocol attack; answer nothing that echoes it.
                ImapLog.Closing(_logger, "HTTP request on an IMAP port");
                return;
            }

            if (outcome == ReadOutcome.Error)
            {
                _writer.WriteError(error!);
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

            if (!ImapCommandTable.IsAllowed(command!, _state))
            {
                _writer.WriteTagged(command!.Tag, ImapResponseStatus.Bad, null, NotAllowedText(command));

                // After login a known command in the wrong state is the client's mistake about the state, valid syntax
                // that never counts toward closing the session. Before login it counts like an unknown command: no
                // client selects a mailbox before logging in, but another protocol's lines can read as IMAP (SECURITY T05).
                if ((!ImapCommandTable.IsKnown(command) || _state == ImapState.NotAuthenticated) && CountBadCommand())
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

        return _state switch
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
        int limit = _state == ImapState.NotAuthenticated ? _options.MaxBadCommandsBeforeAuthentication : _options.MaxBadCommands;
        if (!_connection.CountBadCommand(limit))
        {
            return false;
        }

        _writer.WriteUntagged(ImapResponseStatus.Bye, null, "Too many invalid commands");
        ImapLog.Closing(_logger, "too many invalid commands");
        return true;
    }

    private async Task RunCommandAsync(ImapCommand command)
    {
        try
        {
            await DispatchAsync(command).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not (IOException or OperationCanceledException or ConnectionResetException or ObjectDisposedException))
        {
            // The error boundary of one command: the client gets a tagged NO and the session goes on.
            ImapLog.StoreFailed(_logger, "SERVERBUG", ex.Message);
            _writer.WriteTagged(command.Tag, ImapResponseStatus.No, "SERVERBUG", "Internal server error");
        }
    }

    private Task DispatchAsync(ImapCommand command) => command switch
    {
        CapabilityCommand c => CapabilityAsync(c),
        NoopCommand c => NoopAsync(c),
        LogoutCommand c => LogoutAsync(c),
        IdCommand c => IdAsync(c),
        StartTlsCommand c => StartTlsAsync(c),
        LoginCommand c => LoginAsync(c),
        AuthenticateCommand c => AuthenticateAsync(c),
        EnableCommand c => EnableAsync(c),
        CompressCommand c => CompressAsync(c),
        _ => DispatchMailboxAsync(command),
    };

    /// <summary>The idle timeout of the current state (RFC 9051 §5.4).</summary>
    private TimeSpan IdleTimeout => _state == ImapState.NotAuthenticated
        ? _info.Endpoint.PreAuthenticationIdleTimeout
        : _options.AuthenticatedIdleTimeout;

    /// <summary>Reads until the parser has a command or an error, serving literal continuations and APPEND data meanwhile.</summary>
    private async ValueTask<(ReadOutcome Outcome, ImapCommand? Command, ImapParseError? Error)> ReadCommandAsync()
    {
        using var deadline = _connection.StartDeadline(IdleTimeout);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await ReadAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsExpired)
            {
                return (_connection.ExpiredStatus == MailReadStatus.Stopping ? ReadOutcome.Stopping : ReadOutcome.TimedOut, null, null);
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
                    _writer.WriteContinuation("Ready for literal data");
                    break;
                case ImapParseStatus.AppendLiteral:
                    if (!await AppendLiteralAsync(_parser.PendingAppend!, deadline.Token).ConfigureAwait(false))
                    {
                        return (ReadOutcome.Closed, null, null);
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

    /// <summary>
    /// Returns buffered bytes at once, unless responses have piled up: those go out first, and while the client does
    /// not read them nothing more is read from it (SECURITY rule 3). Flushes pending responses before waiting for the
    /// client. Reads the session's own pipes, which COMPRESS layers.
    /// </summary>
    private ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken)
        => _connection.ReadAsync(_input, _output.Pipe, _examinedAll, cancellationToken);

    /// <summary>Traces the command collected so far, each line redacted on its own (LOGIN and AUTHENTICATE, literals included).</summary>
    private void FlushTrace() => _connection.FlushCommandTrace();

    /// <summary>The response code <c>CAPABILITY ...</c> for the greeting and login replies.</summary>
    private string CapabilityCode() => "CAPABILITY " + string.Join(' ', Capabilities());

    private Task CapabilityAsync(CapabilityCommand command)
    {
        _writer.WriteCapability(Capabilities());
        _writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "CAPABILITY completed");
        return Task.CompletedTask;
    }

    private async Task NoopAsync(NoopCommand command)
    {
        // RFC 9051 §6.1.2: NOOP is the classic way to poll for updates.
        await SendUpdatesAsync(allowExpunge: true).ConfigureAwait(false);
        _writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "NOOP completed");
    }

    private Task LogoutAsync(LogoutCommand command)
    {
        // RFC 9051 §6.1.3: BYE first, then the tagged OK.
        _writer.WriteUntagged(ImapResponseStatus.Bye, null, "MailHost IMAP server logging out");
        _writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "LOGOUT completed");
        _state = ImapState.Logout;
        return Task.CompletedTask;
    }

    /// <summary>
    /// Writes a tagged NO for a store failure with the RFC 5530 response code of its <see cref="StoreErrorCode"/>.
    /// <paramref name="tryCreate"/>: a missing mailbox is a COPY/MOVE/APPEND target (RFC 9051 §6.3.12, §6.4.7).
    /// <paramref name="storesName"/>: the command would store the name (CREATE, RENAME's new name, SUBSCRIBE), so a
    /// name the store cannot hold is <c>[CANNOT]</c>; for every other command it names no mailbox, <c>[NONEXISTENT]</c>
    /// (never <c>[TRYCREATE]</c>: CREATE could not make it).
    /// </summary>
    private void WriteStoreError(string tag, StoreError error, bool tryCreate = false, bool storesName = false)
    {
        var code = error.Code switch
        {
            StoreErrorCode.NotFound => tryCreate ? "TRYCREATE" : "NONEXISTENT",
            StoreErrorCode.AlreadyExists => "ALREADYEXISTS",
            StoreErrorCode.InvalidName => storesName ? "CANNOT" : "NONEXISTENT",
            StoreErrorCode.NotAllowed => "CANNOT",
            StoreErrorCode.HasChildren => "INUSE",
            StoreErrorCode.OverQuota => "OVERQUOTA",
            StoreErrorCode.TooBig => "TOOBIG",
            StoreErrorCode.LimitExceeded => "LIMIT",
            StoreErrorCode.ReadOnly => "READ-ONLY",
            StoreErrorCode.InvalidArgument => "CLIENTBUG",
            _ => "UNAVAILABLE",
        };
        if (error.Code == StoreErrorCode.Unavailable)
        {
            ImapLog.StoreFailed(_logger, error.Code.ToString(), error.Message);
        }

        if (error.Code == StoreErrorCode.AccountRemoved)
        {
            // The operator removed the account while this session was open: nothing it could do would reach anything,
            // so it ends (RFC 9051 §7.1.5: BYE, the server is closing the connection).
            _writer.WriteUntagged(ImapResponseStatus.Bye, null, "The account was removed");
            ImapLog.Closing(_logger, "account removed");
            _state = ImapState.Logout;
        }

        // Store messages are fixed texts written for clients; the writer guards against CR/LF regardless.
        _writer.WriteTagged(tag, ImapResponseStatus.No, code, error.Message);
    }
}
