using System.Buffers;
using System.Collections.Frozen;
using System.Text;
using MailHost.Connections;
using MailHost.Logins;
using MailHost.Protocols.Pop3;
using MailHost.Protocols.Text;
using MailHost.Sessions;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace MailHost.Pop3;

/// <summary>
/// One POP3 connection (RFC 1939) with CAPA and response codes (RFC 2449, 3206), STLS (RFC 2595), SASL AUTH
/// (RFC 5034) and UTF8 (RFC 6856).
/// </summary>
/// <remarks>
/// Invariants:
/// <list type="bullet">
/// <item>Credentials are accepted only over TLS unless the operator allows plain text (USER and AUTH refused otherwise).</item>
/// <item>The maildrop is INBOX as it was at login: mail arriving later waits for the next session (RFC 1939 §8).</item>
/// <item>Nothing is deleted before QUIT in the TRANSACTION state (the UPDATE state); a dropped connection deletes nothing.</item>
/// <item>Every reply is flushed before the next command is read, and a long reply whenever 64 KiB are buffered; a flush
/// waits at most the write timeout for the client to read (<see cref="MailOutputFlusher"/>), and no command is read meanwhile.</item>
/// <item>When the host stops, a session waiting for a command answers <c>-ERR [SYS/TEMP]</c> and closes at once; a reply
/// being sent (RETR, TOP) is finished first.</item>
/// </list>
/// </remarks>
internal sealed partial class Pop3Session : IDisposable
{
    private readonly MailSessionConnection _connection;
    private readonly Pop3Services _services;
    private readonly ILogger _logger;
    private readonly AuthenticationFailureCounter _failures;

    // MailHost:Pop3:ReplaceNulBytes, or the logged-in account's own form of it from its client policy.
    private bool _replaceNulBytes;

    // The mailhost.commands tags; an unknown verb is counted as other, so a client cannot make up tag values.
    private static readonly FrozenDictionary<Pop3CommandKind, string> CommandNames =
        MailHostMetrics.CommandNames(Pop3CommandKind.Unknown, Pop3CommandKind.HttpRequest);

    // RFC 2449 §4: command lines up to 255 octets; RFC 5034 §4: SASL responses up to 12288 (the parser's defaults).
    private readonly Pop3CommandParser _parser = new();

    /// <param name="connection">A connection of the MailHost pipeline.</param>
    /// <param name="services">The singletons the session uses.</param>
    /// <param name="stopping">Cancelled when the host stops: a session waiting for a command closes at once.</param>
    public Pop3Session(ConnectionContext connection, Pop3Services services, CancellationToken stopping)
    {
        _services = services;
        _connection = new MailSessionConnection(connection, services.Connection, stopping);
        _logger = _connection.Logger;
        _failures = new AuthenticationFailureCounter(services.Authentication.MaxFailuresPerConnection);
    }

    private IMailConnectionFeature Info => _connection.Info;

    public async Task RunAsync()
    {
        Maildrop? maildrop = null;
        try
        {
            if (_connection.IsStopping)
            {
                // RFC 2449 §8 / RFC 3206 §4: a negative greeting; [SYS/TEMP] tells the client to try again later.
                await EndOnReadStatusAsync(MailReadStatus.Stopping).ConfigureAwait(false);
                await FlushAsync().ConfigureAwait(false);
                return;
            }

            await ReplyAsync("+OK MailHost POP3 server ready").ConfigureAwait(false);
            maildrop = await AuthorizationAsync().ConfigureAwait(false);
            if (maildrop is not null)
            {
                await TransactionAsync(maildrop).ConfigureAwait(false);
            }

            await FlushAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not (IOException or OperationCanceledException or ConnectionResetException or ObjectDisposedException))
        {
            // The error boundary of the session: a failure below it (the account directory or the store unreachable)
            // ends it with a temporary error the client retries (RFC 3206 §4, [SYS/TEMP]); nothing was deleted.
            Pop3Log.SessionFailed(_logger, ex.Message);
            await ReplyAsync("-ERR [SYS/TEMP] Temporary server problem, try again later").ConfigureAwait(false);
            await FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            if (maildrop is not null)
            {
                await maildrop.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Releases the session's timers; the session has ended.</summary>
    public void Dispose() => _connection.Dispose();

    /// <summary>
    /// Reads and parses one command within the idle timeout (SECURITY F1: one deadline for the whole line, however it
    /// arrives); a parse error comes back as the reply to send.
    /// </summary>
    private async ValueTask<(MailReadStatus Status, Pop3Command? Command, Pop3Response? Error)> ReadCommandAsync(TimeSpan idleTimeout)
    {
        using var deadline = _connection.StartDeadline(idleTimeout);
        while (true)
        {
            var (status, result) = await _connection.ReadAsync(deadline.Token).ConfigureAwait(false);
            if (status != MailReadStatus.Ready)
            {
                return (status, null, null);
            }

            var buffer = result.Buffer;
            var continuesRefusedLine = _parser.IsDiscardingLongLine;
            if (_parser.TryParseCommand(buffer, out var consumed, out var command, out var error) != Pop3ParseStatus.Incomplete)
            {
                _connection.Trace.ReceivedCommand(buffer.Slice(0, consumed), continuesRefusedLine);
                _connection.Input.AdvanceTo(consumed);
                MailHostMetrics.CommandReceived(Info.Endpoint.Protocol, command is null ? MailHostMetrics.OtherCommand : CommandNames[command.Kind]);
                return (MailReadStatus.Ready, command, error);
            }

            if (!_connection.ContinueAfterIncomplete(result, consumed))
            {
                return (MailReadStatus.Closed, null, null);
            }
        }
    }

    /// <summary>Reads one SASL response line (RFC 5034 §4) within the pre-login idle timeout; never traced in clear.</summary>
    private async ValueTask<(MailReadStatus Status, string? Response, Pop3Response? Error)> ReadAuthResponseAsync()
    {
        using var deadline = _connection.StartDeadline(Info.Endpoint.PreAuthenticationIdleTimeout);
        while (true)
        {
            var (status, result) = await _connection.ReadAsync(deadline.Token).ConfigureAwait(false);
            if (status != MailReadStatus.Ready)
            {
                return (status, null, null);
            }

            var buffer = result.Buffer;
            if (_parser.TryParseAuthResponse(buffer, out var consumed, out var response, out var error) != Pop3ParseStatus.Incomplete)
            {
                _connection.Trace.ReceivedRedacted(ProtocolTraceRedactor.RedactedMarker);
                _connection.Input.AdvanceTo(consumed);
                return (MailReadStatus.Ready, response, error);
            }

            if (!_connection.ContinueAfterIncomplete(result, consumed))
            {
                return (MailReadStatus.Closed, null, null);
            }
        }
    }

    private ValueTask ReplyAsync(Pop3Response response) => ReplyAsync(response.ToString());

    /// <summary>Buffers one reply line; it goes out with the next flush, or at once when 64 KiB are buffered.</summary>
    private ValueTask ReplyAsync(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line + "\r\n");
        _connection.Trace.Sent(bytes);
        _connection.Output.Write(bytes);
        return _connection.FlushIfFullAsync();
    }

    /// <summary>Flushes within the write timeout; a client that reads nothing meanwhile has its connection aborted.</summary>
    private ValueTask FlushAsync() => _connection.FlushAsync();

    private ValueTask<bool> BadCommandAsync(Pop3Response reply) => BadCommandAsync(reply.ToString());

    /// <summary>Counts a bad command; true when the connection must close.</summary>
    private async ValueTask<bool> BadCommandAsync(string reply)
    {
        if (_connection.CountBadCommand(_services.Options.MaxBadCommands))
        {
            await ReplyAsync("-ERR Too many bad commands, closing").ConfigureAwait(false);
            Pop3Log.Closing(_logger, "too many bad commands");
            return true;
        }

        await ReplyAsync(reply).ConfigureAwait(false);
        return false;
    }

    /// <summary>Answers a read that ended without a command: true (after any goodbye) when the session ends.</summary>
    private async ValueTask<bool> EndOnReadStatusAsync(MailReadStatus status)
    {
        switch (status)
        {
            case MailReadStatus.TimedOut:
                await ReplyAsync("-ERR Autologout; idle for too long").ConfigureAwait(false);
                Pop3Log.Closing(_logger, "idle timeout");
                MailHostMetrics.TimedOut(Info, MailHostMetrics.IdleReason);
                return true;
            case MailReadStatus.Stopping:
                // RFC 1939 §3: a session ended other than by QUIT does not enter the UPDATE state; nothing is deleted.
                // RFC 3206 §4: [SYS/TEMP], a problem of the server that goes away; the client tries again later.
                await ReplyAsync("-ERR [SYS/TEMP] Server shutting down, try again later").ConfigureAwait(false);
                Pop3Log.Closing(_logger, "server shutting down");
                _connection.RecordShutdown(MailShutdownOutcome.Idle);
                return true;
            case MailReadStatus.Closed:
                return true;
            default:
                return false;
        }
    }
}
