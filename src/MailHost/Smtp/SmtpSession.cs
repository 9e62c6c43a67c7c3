using System.Buffers;
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text;
using MailHost.Connections;
using MailHost.Delivery;
using MailHost.Hosting;
using MailHost.Logins;
using MailHost.MailAuthentication;
using MailHost.Protocols.Smtp;
using MailHost.Protocols.Text;
using MailHost.Storage;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;

namespace MailHost.Smtp;

/// <summary>
/// One SMTP connection (RFC 5321) on an MX endpoint (<see cref="MailProtocol.Smtp"/>) or a submission endpoint
/// (<see cref="MailProtocol.Submission"/>, RFC 6409), with PIPELINING, SIZE, 8BITMIME, SMTPUTF8, STARTTLS, AUTH,
/// CHUNKING/BINARYMIME, DSN and ENHANCEDSTATUSCODES.
/// </summary>
/// <remarks>
/// Invariants:
/// <list type="bullet">
/// <item><c>250</c> after DATA or BDAT LAST only when every local copy is durable in the store and every external
/// recipient is durably queued; a store failure is <c>451</c>/<c>452</c>/<c>552</c>, never <c>250</c>.</item>
/// <item>Content goes to a spool as it arrives and reaches the store only when complete: a lost connection stores nothing.</item>
/// <item>Only CRLF.CRLF ends DATA (the pure <see cref="DotUnstuffer"/>); BDAT reads exactly its length.</item>
/// <item>The MX endpoint delivers to local recipients only; relaying needs authenticated submission.</item>
/// <item>On the MX endpoint every stored message carries exactly one Authentication-Results field of this server
/// (when mail authentication is enabled). On every endpoint, with or without mail authentication, incoming ones
/// claiming its identity are renamed (RFC 8601 §5).</item>
/// <item>On submission MAIL FROM, and the From and Sender fields of the content, name only the authenticated
/// account's addresses (each behind its own switch).</item>
/// <item>After STARTTLS nothing from before survives: buffered plain text, EHLO, the transaction (RFC 3207 §4.2).</item>
/// <item>Replies are flushed before the session waits for input, so pipelined commands get batched replies (RFC 2920),
/// and sooner once 64 KiB are buffered; no command is read while a flush waits for the client, and a flush waits at
/// most the write timeout (<see cref="MailOutputFlusher"/>).</item>
/// <item>Every deadline covers a whole unit (<see cref="SmtpReadDeadline"/>): a command line, a SASL response, a DATA
/// transfer or BDAT chunk (with a minimum rate); an unauthenticated session also has a total time limit.</item>
/// <item>Reads and writes never take the connection-closed token: QUIT followed by FIN still gets its 221.</item>
/// </list>
/// </remarks>
internal sealed partial class SmtpSession : IAsyncDisposable
{
    private static readonly SmtpReply TooManyErrors = new(421, "4.7.0", "Too many errors, closing connection");
    private static readonly SmtpReply Timeout = new(421, "4.4.2", "Timeout waiting for the client, closing connection");
    private static readonly SmtpReply SessionLimit = new(421, "4.4.2", "Session time limit reached, closing connection");

    // RFC 5321 §3.8: a server that must shut down answers 421 and closes.
    private static readonly SmtpReply ShuttingDown = new(421, "4.3.2", "Service shutting down, closing connection");

    private readonly ConnectionContext _connection;
    private readonly IMailConnectionFeature _info;
    private readonly IMailTlsFeature _tls;
    private readonly IMailStore _store;
    private readonly SaslAuthenticator _sasl;
    private readonly IOutboundMailDelivery? _outbound;
    private readonly MailAuthenticator? _mailAuthenticator;
    private readonly SmtpUnknownRecipientLimiter _unknownRecipients;
    private readonly SmtpAddressPolicy _addresses;
    private readonly SmtpOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ProtocolTrace _trace;
    private readonly AuthenticationFailureCounter _failures;
    private readonly SmtpCommandParser _parser;
    private readonly string _hostname;
    private readonly bool _isSubmission;
    private readonly ArrayBufferWriter<byte> _replyBuffer = new(256);
    private readonly MailOutputFlusher _flusher;
    private readonly CancellationToken _stopping;

    // Cancelled by the session time limit (until AUTH succeeds) or the host stopping; every read deadline ends with it.
    private readonly CancellationTokenSource _sessionEnd;
    private readonly CancellationTokenRegistration _stopRegistration;

    private PipeReader _input;
    private PipeWriter _output;
    private int _errors;

    // Whether the last read ended with an incomplete line: the next read must wait for new bytes.
    private bool _needMoreInput;

    // SECURITY A6: the first command of a connection, and the first after STARTTLS, is checked for HTTP.
    private bool _firstCommand = true;
    private string? _clientIdentity;
    private SmtpIdentityKind _clientIdentityKind;
    private bool _extended;
    private string? _account;
    private SmtpTransaction? _transaction;

    public SmtpSession(
        ConnectionContext connection,
        IMailStore store,
        SaslAuthenticator sasl,
        IOutboundMailDelivery? outbound,
        MailAuthenticator? mailAuthenticator,
        SmtpAddressPolicy addresses,
        SmtpUnknownRecipientLimiter unknownRecipients,
        SmtpOptions options,
        AuthenticationOptions authOptions,
        string hostname,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory)
    {
        _connection = connection;
        _info = connection.Features.Get<IMailConnectionFeature>() ?? throw new InvalidOperationException("SMTP needs the MailHost connection pipeline (UseMail).");
        _tls = connection.Features.Get<IMailTlsFeature>()!;
        _store = store;
        _sasl = sasl;
        _outbound = outbound;
        _mailAuthenticator = mailAuthenticator;
        _addresses = addresses;
        _unknownRecipients = unknownRecipients;
        _options = options;
        _hostname = hostname;
        _timeProvider = timeProvider;
        _isSubmission = _info.Endpoint.Protocol == MailProtocol.Submission;
        _logger = loggerFactory.CreateLogger<SmtpSession>();
        _trace = new ProtocolTrace(loggerFactory, _info.Endpoint.Protocol, connection.ConnectionId);
        _failures = new AuthenticationFailureCounter(authOptions.MaxFailuresPerConnection);
        _parser = new SmtpCommandParser(new SmtpParserOptions { MaxMessageSize = MaxMessageSize });
        _input = connection.Transport.Input;
        _output = connection.Transport.Output;

        // Kestrel asks every connection to close when the host stops.
        _stopping = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? CancellationToken.None;
        _flusher = new MailOutputFlusher(connection, options.WriteTimeout, timeProvider, _logger, _stopping);
        _sessionEnd = new CancellationTokenSource(options.SessionTimeLimit > TimeSpan.Zero ? options.SessionTimeLimit : System.Threading.Timeout.InfiniteTimeSpan, timeProvider);
        _stopRegistration = _stopping.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _sessionEnd);
    }

    private enum InputStatus
    {
        Ready,
        Closed,
        TimedOut,
        SessionExpired,
        Stopping,
    }

    /// <summary>The SIZE limit: the configured one, capped by the store's.</summary>
    private long MaxMessageSize => Math.Min(_options.MaxMessageSize, _store.Limits.MaxMessageSize);

    private SmtpSessionState State => _clientIdentity is null ? SmtpSessionState.Connected
        : _transaction is null ? SmtpSessionState.Ready
        : _transaction.IsChunking ? SmtpSessionState.Chunking
        : _transaction.RecipientCount == 0 ? SmtpSessionState.Mail
        : SmtpSessionState.Recipients;

    /// <summary>Before AUTH on submission the endpoint's pre-authentication timeout applies (RFC 6409 leaves it to policy).</summary>
    private TimeSpan CommandTimeout => _isSubmission && _account is null
        ? Min(_info.Endpoint.PreAuthenticationIdleTimeout, _options.CommandTimeout)
        : _options.CommandTimeout;

    public async Task RunAsync()
    {
        try
        {
            // RFC 5321 §4.2 / RFC 2034 §3: no enhanced status code on the greeting.
            await WriteLineAsync("220 " + _hostname + " ESMTP MailHost ready").ConfigureAwait(false);
            while (true)
            {
                var (status, command, error, isBdatLine) = await ReadCommandAsync().ConfigureAwait(false);
                if (status != InputStatus.Ready)
                {
                    await EndWaitAsync(status, MailHostMetrics.CommandReason, "idle timeout").ConfigureAwait(false);
                    break;
                }

                if (command is HttpRequestCommand && _firstCommand)
                {
                    // SECURITY A6 (ALPACA): never answer an HTTP request with anything the browser could use.
                    await ReplyAsync(new SmtpReply(221, "2.7.0", "This is a mail server; closing connection")).ConfigureAwait(false);
                    SmtpLog.Closing(_logger, "HTTP request on an SMTP port");
                    break;
                }

                _firstCommand = false;
                bool close;
                if (command is null)
                {
                    // A refused BDAT line leaves an unknown number of octets behind it: the stream cannot be resynchronised.
                    close = isBdatLine
                        ? await CloseWithAsync(error!, "unreadable BDAT command").ConfigureAwait(false)
                        : await ErrorAsync(error!).ConfigureAwait(false);
                }
                else
                {
                    close = await DispatchAsync(command).ConfigureAwait(false);
                }

                if (close)
                {
                    break;
                }
            }

            await FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            await ResetTransactionAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Drops an unfinished transaction and its spool, and the session's timers.</summary>
    public async ValueTask DisposeAsync()
    {
        await ResetTransactionAsync().ConfigureAwait(false);
        await _stopRegistration.DisposeAsync().ConfigureAwait(false);
        _sessionEnd.Dispose();
        _flusher.Dispose();
    }

    private async ValueTask<bool> DispatchAsync(SmtpCommand command)
    {
        var refusal = SmtpCommandTable.Refusal(command.Kind, State);
        if (refusal is not null && command is BdatCommand refusedChunk)
        {
            // RFC 3030 §2: the chunk's octets follow regardless; read them so the next command is found.
            return !await DiscardAsync(refusedChunk.ChunkSize).ConfigureAwait(false) || await ErrorAsync(refusal).ConfigureAwait(false);
        }

        if (refusal is not null)
        {
            return await ErrorAsync(refusal).ConfigureAwait(false);
        }

        switch (command)
        {
            case EhloCommand ehlo:
                await HelloAsync(ehlo.ClientIdentity, ehlo.IdentityKind, extended: true).ConfigureAwait(false);
                return false;
            case HeloCommand helo:
                await HelloAsync(helo.ClientIdentity, helo.IdentityKind, extended: false).ConfigureAwait(false);
                return false;
            case MailCommand mail:
                return await MailAsync(mail).ConfigureAwait(false);
            case RcptCommand rcpt:
                return await RcptAsync(rcpt).ConfigureAwait(false);
            case DataCommand:
                return await DataAsync().ConfigureAwait(false);
            case BdatCommand bdat:
                return await BdatAsync(bdat).ConfigureAwait(false);
            case RsetCommand:
                await ResetTransactionAsync().ConfigureAwait(false);
                await ReplyAsync(new SmtpReply(250, "2.0.0", "Reset OK")).ConfigureAwait(false);
                return false;
            case NoopCommand:
                await ReplyAsync(new SmtpReply(250, "2.0.0", "OK")).ConfigureAwait(false);
                return false;
            case QuitCommand:
                await ReplyAsync(new SmtpReply(221, "2.0.0", _hostname + " closing connection")).ConfigureAwait(false);
                return true;
            case HelpCommand:
                await ReplyAsync(new SmtpReply(214, "2.0.0", "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT HELP VRFY STARTTLS AUTH")).ConfigureAwait(false);
                return false;
            case VrfyCommand:
                // SECURITY D2 / RFC 5321 §3.5.3: no address verification, so no enumeration.
                await ReplyAsync(new SmtpReply(252, "2.5.0", "Cannot VRFY user, but will accept mail and attempt delivery")).ConfigureAwait(false);
                return false;
            case ExpnCommand:
                return await ErrorAsync(new SmtpReply(502, "5.5.1", "EXPN is not available")).ConfigureAwait(false);
            case StartTlsCommand:
                return await StartTlsAsync().ConfigureAwait(false);
            case AuthCommand auth:
                return await AuthAsync(auth).ConfigureAwait(false);
            default:
                return await ErrorAsync(SmtpReplies.CommandUnrecognized).ConfigureAwait(false);
        }
    }

    /// <summary>Reads and parses one command; the whole line must arrive within the command timeout.</summary>
    private async ValueTask<(InputStatus Status, SmtpCommand? Command, SmtpReply? Error, bool IsBdatLine)> ReadCommandAsync()
    {
        using var deadline = SmtpReadDeadline.ForLine(CommandTimeout, _timeProvider, _sessionEnd.Token);
        while (true)
        {
            var (status, result) = await ReadInputAsync(deadline.Token).ConfigureAwait(false);
            if (status != InputStatus.Ready)
            {
                return (status, null, null, false);
            }

            var buffer = result.Buffer;
            var continuesRefusedLine = _parser.IsDiscardingLongLine;
            var parsed = _parser.TryParseCommand(buffer, out var consumed, out var command, out var error);
            if (parsed != SmtpParseStatus.Incomplete)
            {
                var line = buffer.Slice(0, consumed);
                _trace.ReceivedCommand(line, continuesRefusedLine);
                var isBdat = parsed == SmtpParseStatus.Error && StartsWithBdat(line);
                _input.AdvanceTo(consumed);
                return (InputStatus.Ready, command, error, isBdat);
            }

            if (result.IsCompleted)
            {
                _input.AdvanceTo(buffer.End);
                return (InputStatus.Closed, null, null, false);
            }

            _needMoreInput = true;
            _input.AdvanceTo(consumed, buffer.End);
        }
    }

    /// <summary>
    /// The buffered input, or new input after flushing the replies so far. Buffered input is taken without
    /// flushing so that pipelined commands are answered in one batch (RFC 2920 §3.2), unless replies have piled up:
    /// those go out first, and while the client does not read them nothing more is read from it.
    /// <paramref name="deadline"/> belongs to the caller's whole unit (line, transfer), never to one read.
    /// </summary>
    private async ValueTask<(InputStatus Status, ReadResult Result)> ReadInputAsync(CancellationToken deadline)
    {
        if (MailOutputFlusher.IsFull(_output))
        {
            await FlushAsync().ConfigureAwait(false);
        }

        if (!_needMoreInput && _input.TryRead(out var buffered))
        {
            if (!buffered.Buffer.IsEmpty || buffered.IsCompleted)
            {
                return (InputStatus.Ready, buffered);
            }

            _input.AdvanceTo(buffered.Buffer.Start);
        }

        _needMoreInput = false;
        await FlushAsync().ConfigureAwait(false);
        try
        {
            return (InputStatus.Ready, await _input.ReadAsync(deadline).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return (_stopping.IsCancellationRequested ? InputStatus.Stopping
                : _sessionEnd.IsCancellationRequested ? InputStatus.SessionExpired
                : InputStatus.TimedOut, default);
        }
    }

    /// <summary>Answers a wait that ended without input (its deadline, the session limit, the host stopping) with its 421.</summary>
    private async ValueTask EndWaitAsync(InputStatus status, string deadlineReason, string timeoutText)
    {
        switch (status)
        {
            case InputStatus.TimedOut:
                await ReplyAsync(Timeout).ConfigureAwait(false);
                SmtpLog.Closing(_logger, timeoutText);
                MailHostMetrics.TimedOut(_info, deadlineReason);
                break;
            case InputStatus.SessionExpired:
                await ReplyAsync(SessionLimit).ConfigureAwait(false);
                SmtpLog.Closing(_logger, "session time limit reached");
                MailHostMetrics.TimedOut(_info, MailHostMetrics.SessionReason);
                break;
            case InputStatus.Stopping:
                await ReplyAsync(ShuttingDown).ConfigureAwait(false);
                SmtpLog.Closing(_logger, "server shutting down");
                break;
        }
    }

    private static bool StartsWithBdat(ReadOnlySequence<byte> line)
    {
        Span<byte> head = stackalloc byte[5];
        if (line.Length < head.Length)
        {
            return false;
        }

        line.Slice(0, head.Length).CopyTo(head);
        return Ascii.EqualsIgnoreCase(head, "BDAT "u8);
    }

    /// <summary>Writes one reply (with its enhanced status code, RFC 2034); flushed before the next wait for input.</summary>
    private ValueTask ReplyAsync(SmtpReply reply) => WriteLineAsync(reply.ToString(includeEnhancedStatusCode: true));

    private ValueTask WriteLineAsync(string line)
    {
        var bytes = Encoding.ASCII.GetBytes(line + "\r\n");
        _trace.Sent(bytes);
        _output.Write(bytes);
        return ValueTask.CompletedTask;
    }

    /// <summary>Flushes within the write timeout; a client that reads nothing meanwhile has its connection aborted.</summary>
    private ValueTask FlushAsync() => _flusher.FlushAsync(_output);

    /// <summary>Writes what <see cref="_replyBuffer"/> holds (a multi-line reply) and clears it.</summary>
    private ValueTask WriteBufferedReplyAsync()
    {
        if (_trace.IsEnabled)
        {
            foreach (var line in Encoding.ASCII.GetString(_replyBuffer.WrittenSpan).Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
            {
                _trace.Sent(Encoding.ASCII.GetBytes(line));
            }
        }

        _output.Write(_replyBuffer.WrittenSpan);
        _replyBuffer.ResetWrittenCount();
        return ValueTask.CompletedTask;
    }

    /// <summary>Answers with an error reply and counts it; true when the limit is reached and the connection must close.</summary>
    private async ValueTask<bool> ErrorAsync(SmtpReply reply)
    {
        await ReplyAsync(reply).ConfigureAwait(false);
        _errors++;
        if (_options.MaxErrors > 0 && _errors >= _options.MaxErrors)
        {
            await ReplyAsync(TooManyErrors).ConfigureAwait(false);
            SmtpLog.Closing(_logger, "too many errors");
            return true;
        }

        return false;
    }

    private async ValueTask<bool> CloseWithAsync(SmtpReply reply, string reason)
    {
        await ReplyAsync(reply).ConfigureAwait(false);
        await ReplyAsync(new SmtpReply(421, "4.5.0", _hostname + " closing connection")).ConfigureAwait(false);
        SmtpLog.Closing(_logger, reason);
        return true;
    }

    private async ValueTask ResetTransactionAsync()
    {
        if (_transaction is not null)
        {
            await _transaction.DisposeAsync().ConfigureAwait(false);
            _transaction = null;
        }

        _parser.IsUtf8Transaction = false;
    }

    private static string NewTransactionId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
