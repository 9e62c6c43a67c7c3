using System.Buffers;
using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using MailHost.Connections;
using MailHost.Hosting;
using MailHost.Logins;
using MailHost.Protocols.Smtp;
using MailHost.Protocols.Text;
using MailHost.Sessions;
using Microsoft.AspNetCore.Connections;
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
/// <item>Every deadline covers a whole unit: a command line or a SASL response (<see cref="MailReadDeadline"/>), a DATA
/// transfer or BDAT chunk (<see cref="SmtpReadDeadline"/>, with a minimum rate); an unauthenticated session also has a
/// total time limit.</item>
/// <item>Reads and writes never take the connection-closed token: QUIT followed by FIN still gets its 221.</item>
/// <item>When the host stops, a session waiting for a command answers 421 at once (RFC 5321 §3.8); a DATA or BDAT
/// transfer in progress may finish until the shutdown deadline and gets its 250 or refusal first, and none starts.</item>
/// </list>
/// </remarks>
internal sealed partial class SmtpSession : IAsyncDisposable
{
    private static readonly SmtpReply TooManyErrors = new(421, "4.7.0", "Too many errors, closing connection");
    private static readonly SmtpReply Timeout = new(421, "4.4.2", "Timeout waiting for the client, closing connection");
    private static readonly SmtpReply SessionLimit = new(421, "4.4.2", "Session time limit reached, closing connection");

    // RFC 5321 §3.8: a server that must shut down answers 421 and closes.
    private static readonly SmtpReply ShuttingDown = new(421, "4.3.2", "Service shutting down, closing connection");

    // The mailhost.commands tags; an unknown verb is counted as other, so a client cannot make up tag values.
    private static readonly FrozenDictionary<SmtpCommandKind, string> CommandNames =
        MailHostMetrics.CommandNames(SmtpCommandKind.Unknown, SmtpCommandKind.HttpRequest);

    private readonly MailSessionConnection _connection;
    private readonly SmtpServices _services;
    private readonly ILogger _logger;
    private readonly AuthenticationFailureCounter _failures;
    private readonly SmtpCommandParser _parser;
    private readonly bool _isSubmission;
    private readonly ArrayBufferWriter<byte> _replyBuffer = new(256);

    private string? _clientIdentity;
    private SmtpIdentityKind _clientIdentityKind;
    private bool _extended;
    private string? _account;
    private SmtpTransaction? _transaction;

    // A transfer ended (and was answered) after the host began to stop: the goodbye that follows counts it as finished.
    private bool _transferEndedWhileStopping;

    /// <param name="connection">A connection of the MailHost pipeline on an MX or submission endpoint.</param>
    /// <param name="services">The singletons the session uses.</param>
    /// <param name="stopping">Cancelled when the host stops: a session waiting for input answers 421 and closes.</param>
    public SmtpSession(ConnectionContext connection, SmtpServices services, CancellationToken stopping)
    {
        _services = services;
        _connection = new MailSessionConnection(connection, services.Connection, stopping);
        _logger = _connection.Logger;
        _isSubmission = Info.Endpoint.Protocol == MailProtocol.Submission;
        _failures = new AuthenticationFailureCounter(services.Authentication.MaxFailuresPerConnection);
        _parser = new SmtpCommandParser(new SmtpParserOptions { MaxMessageSize = MaxMessageSize });

        // Until AUTH succeeds the session has a total time limit; every read deadline, transfers included, ends with it.
        _connection.LimitSessionTime(services.Options.SessionTimeLimit);
    }

    private IMailConnectionFeature Info => _connection.Info;

    /// <summary>The SIZE limit: the configured one, capped by the store's.</summary>
    private long MaxMessageSize => Math.Min(_services.Options.MaxMessageSize, _services.Store.Limits.MaxMessageSize);

    private SmtpSessionState State => _clientIdentity is null ? SmtpSessionState.Connected
        : _transaction is null ? SmtpSessionState.Ready
        : _transaction.IsChunking ? SmtpSessionState.Chunking
        : _transaction.RecipientCount == 0 ? SmtpSessionState.Mail
        : SmtpSessionState.Recipients;

    /// <summary>Before AUTH on submission the endpoint's pre-authentication timeout applies (RFC 6409 leaves it to policy).</summary>
    private TimeSpan CommandTimeout => _isSubmission && _account is null
        ? Min(Info.Endpoint.PreAuthenticationIdleTimeout, _services.Options.CommandTimeout)
        : _services.Options.CommandTimeout;

    public async Task RunAsync()
    {
        try
        {
            if (_connection.IsStopping)
            {
                // RFC 5321 §3.1: a server that cannot serve may answer the connection with 421 instead of 220.
                await EndWaitAsync(MailReadStatus.Stopping, MailHostMetrics.CommandReason, "idle timeout").ConfigureAwait(false);
                await FlushAsync().ConfigureAwait(false);
                return;
            }

            if (await FilterConnectAsync().ConfigureAwait(false) is { } refused)
            {
                // RFC 5321 §3.1: 554 instead of the greeting, then only QUIT; a temporary refusal is 421 and closes.
                await WriteLineAsync(refused.Code + " " + _services.Hostname + " " + refused.Text).ConfigureAwait(false);
                if (refused.Code == 421)
                {
                    SmtpLog.Closing(_logger, "refused at connect by a filter: " + refused.Text);
                    await FlushAsync().ConfigureAwait(false);
                    return;
                }

                _refusedAtConnect = true;
            }
            else
            {
                // RFC 5321 §4.2 / RFC 2034 §3: no enhanced status code on the greeting.
                await WriteLineAsync("220 " + _services.Hostname + " ESMTP MailHost ready").ConfigureAwait(false);
            }

            while (true)
            {
                var chunking = State == SmtpSessionState.Chunking;
                var (status, command, error, isBdatLine) = await ReadCommandAsync().ConfigureAwait(false);
                if (status != MailReadStatus.Ready)
                {
                    await EndWaitAsync(status, MailHostMetrics.CommandReason, "idle timeout", inTransfer: chunking).ConfigureAwait(false);
                    break;
                }

                if (_connection.IsHttpFirstCommand(command is HttpRequestCommand))
                {
                    // SECURITY A6 (ALPACA): never answer an HTTP request with anything the browser could use.
                    await ReplyAsync(new SmtpReply(221, "2.7.0", "This is a mail server; closing connection")).ConfigureAwait(false);
                    SmtpLog.Closing(_logger, "HTTP request on an SMTP port");
                    break;
                }

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
                    close = await RunCommandAsync(command).ConfigureAwait(false);
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
        _connection.Dispose();
    }

    /// <summary>
    /// The error boundary of one command: a failure below it (the account directory or the store unreachable) is a
    /// temporary error the client retries (RFC 5321 §4.2.1, 451), the transaction is dropped and the session goes on.
    /// </summary>
    private async ValueTask<bool> RunCommandAsync(SmtpCommand command)
    {
        try
        {
            return await DispatchAsync(command).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not (IOException or OperationCanceledException or ConnectionResetException or ObjectDisposedException))
        {
            SmtpLog.CommandFailed(_logger, command.Kind.ToString(), ex.Message);
            await ResetTransactionAsync().ConfigureAwait(false);
            await ReplyAsync(new SmtpReply(451, "4.3.0", "Temporary local problem, try again later")).ConfigureAwait(false);
            return command is BdatCommand;
        }
    }

    private async ValueTask<bool> DispatchAsync(SmtpCommand command)
    {
        if (_refusedAtConnect && command is not QuitCommand)
        {
            // A chunk's octets follow BDAT unread: the stream cannot be followed, so the connection ends.
            return command is BdatCommand
                ? await CloseWithAsync(RefusedSession, "BDAT on a connection refused at connect").ConfigureAwait(false)
                : await ErrorAsync(RefusedSession).ConfigureAwait(false);
        }

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
                return await HelloAsync(ehlo.ClientIdentity, ehlo.IdentityKind, extended: true).ConfigureAwait(false);
            case HeloCommand helo:
                return await HelloAsync(helo.ClientIdentity, helo.IdentityKind, extended: false).ConfigureAwait(false);
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
                await ReplyAsync(new SmtpReply(221, "2.0.0", _services.Hostname + " closing connection")).ConfigureAwait(false);
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

    /// <summary>
    /// Reads and parses one command; the whole line must arrive within the command timeout. Between the chunks of a
    /// BDAT transaction the transfer is in progress: the host beginning to stop does not end the wait, its shutdown
    /// deadline does.
    /// </summary>
    private async ValueTask<(MailReadStatus Status, SmtpCommand? Command, SmtpReply? Error, bool IsBdatLine)> ReadCommandAsync()
    {
        using var deadline = State == SmtpSessionState.Chunking
            ? _connection.StartTransferDeadline(CommandTimeout)
            : _connection.StartDeadline(CommandTimeout);
        while (true)
        {
            var (status, result) = await _connection.ReadAsync(deadline.Token).ConfigureAwait(false);
            if (status != MailReadStatus.Ready)
            {
                return (status, null, null, false);
            }

            var buffer = result.Buffer;
            var continuesRefusedLine = _parser.IsDiscardingLongLine;
            var parsed = _parser.TryParseCommand(buffer, out var consumed, out var command, out var error);
            if (parsed != SmtpParseStatus.Incomplete)
            {
                var line = buffer.Slice(0, consumed);
                _connection.Trace.ReceivedCommand(line, continuesRefusedLine);
                var isBdat = parsed == SmtpParseStatus.Error && StartsWithBdat(line);
                _connection.Input.AdvanceTo(consumed);
                MailHostMetrics.CommandReceived(Info.Endpoint.Protocol, command is null ? MailHostMetrics.OtherCommand : CommandNames[command.Kind]);
                return (MailReadStatus.Ready, command, error, isBdat);
            }

            if (!_connection.ContinueAfterIncomplete(result, consumed))
            {
                return (MailReadStatus.Closed, null, null, false);
            }
        }
    }

    /// <summary>
    /// Answers a wait that ended without input (its deadline, the session limit, the host stopping) with its 421.
    /// <paramref name="inTransfer"/>: the wait was inside a transfer, which the host stopping ends only at its shutdown
    /// deadline; nothing of it was acknowledged, and the transaction is dropped with its spool.
    /// </summary>
    private async ValueTask EndWaitAsync(MailReadStatus status, string deadlineReason, string timeoutText, bool inTransfer = false)
    {
        switch (status)
        {
            case MailReadStatus.TimedOut:
                await ReplyAsync(Timeout).ConfigureAwait(false);
                SmtpLog.Closing(_logger, timeoutText);
                MailHostMetrics.TimedOut(Info, deadlineReason);
                break;
            case MailReadStatus.SessionExpired:
                await ReplyAsync(SessionLimit).ConfigureAwait(false);
                SmtpLog.Closing(_logger, "session time limit reached");
                MailHostMetrics.TimedOut(Info, MailHostMetrics.SessionReason);
                break;
            case MailReadStatus.Stopping when inTransfer:
                // RFC 5321 §3.8: 421 even here; the client, still sending, may not read it, but nothing was acknowledged.
                await ReplyAsync(ShuttingDown).ConfigureAwait(false);
                SmtpLog.Closing(_logger, "server shutting down; the transfer in progress did not finish within the shutdown timeout and was dropped");
                _connection.RecordShutdown(MailShutdownOutcome.Cut);
                break;
            case MailReadStatus.Stopping:
                await ReplyAsync(ShuttingDown).ConfigureAwait(false);
                SmtpLog.Closing(_logger, _transferEndedWhileStopping ? "server shutting down after the transfer in progress ended" : "server shutting down");
                _connection.RecordShutdown(_transferEndedWhileStopping ? MailShutdownOutcome.TransferFinished : MailShutdownOutcome.Idle);
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
        _connection.Trace.Sent(bytes);
        _connection.Output.Write(bytes);
        return ValueTask.CompletedTask;
    }

    /// <summary>Flushes within the write timeout; a client that reads nothing meanwhile has its connection aborted.</summary>
    private ValueTask FlushAsync() => _connection.FlushAsync();

    /// <summary>Writes what <see cref="_replyBuffer"/> holds (a multi-line reply) and clears it.</summary>
    private ValueTask WriteBufferedReplyAsync()
    {
        if (_connection.Trace.IsEnabled)
        {
            foreach (var line in Encoding.ASCII.GetString(_replyBuffer.WrittenSpan).Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
            {
                _connection.Trace.Sent(Encoding.ASCII.GetBytes(line));
            }
        }

        _connection.Output.Write(_replyBuffer.WrittenSpan);
        _replyBuffer.ResetWrittenCount();
        return ValueTask.CompletedTask;
    }

    /// <summary>Answers with an error reply and counts it; true when the limit is reached and the connection must close.</summary>
    private async ValueTask<bool> ErrorAsync(SmtpReply reply)
    {
        await ReplyAsync(reply).ConfigureAwait(false);

        // MaxErrors 0: no limit.
        if (_connection.CountBadCommand(_services.Options.MaxErrors > 0 ? _services.Options.MaxErrors : int.MaxValue))
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
        await ReplyAsync(new SmtpReply(421, "4.5.0", _services.Hostname + " closing connection")).ConfigureAwait(false);
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

        _filterRun?.EndTransaction();

        _parser.IsUtf8Transaction = false;
    }

    private static string NewTransactionId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
