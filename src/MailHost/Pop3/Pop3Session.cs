using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using MailHost.Authentication;
using MailHost.Connections;
using MailHost.Hosting;
using MailHost.Protocols.Pop3;
using MailHost.Protocols.Text;
using MailHost.Storage;
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
/// <item>Every reply is flushed before the next command is read, apart from pipelined commands (RFC 2449 PIPELINING).</item>
/// </list>
/// </remarks>
internal sealed partial class Pop3Session
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
    }

    private enum LineStatus
    {
        Line,
        Closed,
        TimedOut,
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
        }
        finally
        {
            if (maildrop is not null)
            {
                await maildrop.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

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
        using var timeout = new CancellationTokenSource(idleTimeout, _timeProvider);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await _input.ReadAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                return (LineStatus.TimedOut, null, null);
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

    private async ValueTask ReplyAsync(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line + "\r\n");
        _trace.Sent(bytes);
        await _output.WriteAsync(bytes).ConfigureAwait(false);
    }

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
                return true;
            case LineStatus.Closed:
                return true;
            default:
                return false;
        }
    }
}
