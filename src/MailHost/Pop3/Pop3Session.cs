using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using MailHost.Connections;
using MailHost.Hosting;
using MailHost.Logins;
using MailHost.Protocols.Pop3;
using MailHost.Protocols.Text;
using MailHost.Storage;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
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
/// <item>When the host stops, a session waiting for a command closes at once.</item>
/// </list>
/// </remarks>
internal sealed partial class Pop3Session : IDisposable
{
    private readonly ConnectionContext _connection;
    private readonly IMailConnectionFeature _info;
    private readonly IMailTlsFeature _tls;
    private readonly IMailStore _store;
    private readonly PasswordAuthenticator _passwords;
    private readonly SaslAuthenticator _sasl;
    private readonly Pop3MaildropLocks _locks;
    private readonly Pop3Options _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ProtocolTrace _trace;
    private readonly AuthenticationFailureCounter _failures;
    private readonly MailOutputFlusher _flusher;
    private readonly CancellationToken _stopping;

    // RFC 2449 §4: command lines up to 255 octets; RFC 5034 §4: SASL responses up to 12288 (the parser's defaults).
    private readonly Pop3CommandParser _parser = new();

    private PipeReader _input;
    private PipeWriter _output;
    private int _badCommands;

    public Pop3Session(
        ConnectionContext connection,
        IMailStore store,
        PasswordAuthenticator passwords,
        SaslAuthenticator sasl,
        Pop3MaildropLocks locks,
        Pop3Options options,
        AuthenticationOptions authOptions,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory)
    {
        _connection = connection;
        _info = connection.Features.Get<IMailConnectionFeature>() ?? throw new InvalidOperationException("POP3 needs the MailHost connection pipeline (UseMail).");
        _tls = connection.Features.Get<IMailTlsFeature>()!;
        _store = store;
        _passwords = passwords;
        _sasl = sasl;
        _locks = locks;
        _options = options;
        _timeProvider = timeProvider;
        _logger = loggerFactory.CreateLogger<Pop3Session>();
        _trace = new ProtocolTrace(loggerFactory, MailProtocol.Pop3, connection.ConnectionId);
        _failures = new AuthenticationFailureCounter(authOptions.MaxFailuresPerConnection);
        _input = connection.Transport.Input;
        _output = connection.Transport.Output;

        // Kestrel asks every connection to close when the host stops.
        _stopping = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? CancellationToken.None;
        _flusher = new MailOutputFlusher(connection, options.WriteTimeout, timeProvider, _logger, _stopping);
    }

    private enum LineStatus
    {
        Line,
        Closed,
        TimedOut,
        Stopping,
    }

    public async Task RunAsync()
    {
        Maildrop? maildrop = null;
        try
        {
            await ReplyAsync("+OK MailHost POP3 server ready").ConfigureAwait(false);
            maildrop = await AuthorizationAsync().ConfigureAwait(false);
            if (maildrop is not null)
            {
                await TransactionAsync(maildrop).ConfigureAwait(false);
            }

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

    /// <summary>Releases the write-timeout timer; the session has ended.</summary>
    public void Dispose() => _flusher.Dispose();

    /// <summary>Reads and parses one command within the idle timeout; a parse error comes back as the reply to send.</summary>
    private ValueTask<(LineStatus Status, Pop3Command? Command, Pop3Response? Error)> ReadCommandAsync(TimeSpan idleTimeout)
        => ReadAsync<Pop3Command>(
            idleTimeout,
            (Pop3CommandParser parser, in ReadOnlySequence<byte> buffer, out SequencePosition consumed, out Pop3Command? value, out Pop3Response? failure)
                => parser.TryParseCommand(buffer, out consumed, out value, out failure),
            (line, continuesRefusedLine) => _trace.ReceivedCommand(line, continuesRefusedLine));

    /// <summary>Reads one SASL response line (RFC 5034 §4); never traced in clear.</summary>
    private ValueTask<(LineStatus Status, string? Response, Pop3Response? Error)> ReadAuthResponseAsync(TimeSpan idleTimeout)
        => ReadAsync<string>(
            idleTimeout,
            (Pop3CommandParser parser, in ReadOnlySequence<byte> buffer, out SequencePosition consumed, out string? value, out Pop3Response? failure)
                => parser.TryParseAuthResponse(buffer, out consumed, out value, out failure),
            (_, _) => _trace.ReceivedRedacted(ProtocolTraceRedactor.RedactedMarker));

    private delegate Pop3ParseStatus ParseStep<T>(Pop3CommandParser parser, in ReadOnlySequence<byte> buffer, out SequencePosition consumed, out T? value, out Pop3Response? error);

    /// <summary>Feeds the input to one parser step until it decides, the client goes quiet for too long, or the input ends.</summary>
    /// <remarks><paramref name="trace"/> gets the consumed bytes and whether they start with the rest of a refused over-long line.</remarks>
    private async ValueTask<(LineStatus Status, T? Value, Pop3Response? Error)> ReadAsync<T>(TimeSpan idleTimeout, ParseStep<T> parse, Action<ReadOnlySequence<byte>, bool> trace)
        where T : class
    {
        // One deadline for the whole line, however it arrives (SECURITY F1: a byte now and then is no activity).
        using var timeout = new CancellationTokenSource(idleTimeout, _timeProvider);
        using var stop = _stopping.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), timeout);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await _input.ReadAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                return (_stopping.IsCancellationRequested ? LineStatus.Stopping : LineStatus.TimedOut, null, null);
            }

            var buffer = result.Buffer;
            var continuesRefusedLine = _parser.IsDiscardingLongLine;
            var status = parse(_parser, buffer, out var consumed, out var value, out var error);
            if (status != Pop3ParseStatus.Incomplete)
            {
                trace(buffer.Slice(0, consumed), continuesRefusedLine);
                _input.AdvanceTo(consumed);
                return (LineStatus.Line, value, error);
            }

            if (result.IsCompleted)
            {
                _input.AdvanceTo(buffer.End);
                return (LineStatus.Closed, null, null);
            }

            _input.AdvanceTo(consumed, buffer.End);
        }
    }

    private ValueTask ReplyAsync(Pop3Response response) => ReplyAsync(response.ToString());

    /// <summary>Buffers one reply line; it goes out with the next flush, or at once when 64 KiB are buffered.</summary>
    private async ValueTask ReplyAsync(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line + "\r\n");
        _trace.Sent(bytes);
        _output.Write(bytes);
        if (MailOutputFlusher.IsFull(_output))
        {
            await FlushAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Flushes within the write timeout; a client that reads nothing meanwhile has its connection aborted.</summary>
    private ValueTask FlushAsync() => _flusher.FlushAsync(_output);

    private ValueTask<bool> BadCommandAsync(Pop3Response reply) => BadCommandAsync(reply.ToString());

    /// <summary>Counts a bad command; true when the connection must close.</summary>
    private async ValueTask<bool> BadCommandAsync(string reply)
    {
        _badCommands++;
        if (_badCommands >= _options.MaxBadCommands)
        {
            await ReplyAsync("-ERR Too many bad commands, closing").ConfigureAwait(false);
            Pop3Log.Closing(_logger, "too many bad commands");
            return true;
        }

        await ReplyAsync(reply).ConfigureAwait(false);
        return false;
    }

    private async ValueTask<bool> EndOnLineStatusAsync(LineStatus status)
    {
        switch (status)
        {
            case LineStatus.TimedOut:
                await ReplyAsync("-ERR Autologout; idle for too long").ConfigureAwait(false);
                Pop3Log.Closing(_logger, "idle timeout");
                MailHostMetrics.TimedOut(_info, MailHostMetrics.IdleReason);
                return true;
            case LineStatus.Stopping:
                // RFC 1939 §3: a session ended other than by QUIT does not enter the UPDATE state; nothing is deleted.
                Pop3Log.Closing(_logger, "server shutting down");
                return true;
            case LineStatus.Closed:
                return true;
            default:
                return false;
        }
    }
}
