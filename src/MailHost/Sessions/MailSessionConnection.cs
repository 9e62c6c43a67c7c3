using System.Buffers;
using System.IO.Pipelines;
using MailHost.Connections;
using MailHost.Hosting;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace MailHost.Sessions;

/// <summary>
/// The connection mechanics every mail session shares, whatever its protocol: the connection's features and
/// protocol trace, the current input and output (swapped by STARTTLS), the read that answers buffered input at once
/// and flushes pending replies before it waits, the deadlines of a read and of the session, the guard against HTTP
/// as the first command, and the budget of bad commands. One per connection, held by the session; the protocol's
/// grammar, states, handlers and reply texts stay in the session.
/// </summary>
/// <remarks>
/// Reads and flushes never take the connection-closed token: a client that sends its last command and closes still
/// gets the reply.
/// </remarks>
internal sealed class MailSessionConnection : IDisposable
{
    // The most of one command the trace shows.
    private const int MaxTracedCommand = 16 * 1024;

    private readonly ConnectionContext _connection;

    // Counts the sessions a graceful stop ends; null without a host (tests).
    private readonly MailShutdown? _shutdown;

    // Cancelled by the session time limit; only sessions with a time limit have it.
    private CancellationTokenSource? _sessionLimit;

    // Whether the last read ended with incomplete input: the next read must wait for new bytes.
    private bool _waitForNewInput;

    // SECURITY A6: the first command of a connection is checked for HTTP.
    private bool _awaitingFirstCommand = true;
    private int _badCommands;

    // A command read in parts (IMAP literals) is traced whole at its end; created when the trace is on.
    private ArrayBufferWriter<byte>? _commandTrace;
    private long _traceDiscarded;

    /// <summary>Takes over <paramref name="connection"/> for a session.</summary>
    /// <param name="connection">A connection of the MailHost pipeline (<c>UseMail</c>).</param>
    /// <param name="settings">The protocol's settings.</param>
    /// <param name="stopping">Cancelled when the host begins to stop: waits for a command end, and flushes get a short grace.</param>
    /// <exception cref="InvalidOperationException">The connection did not come through the MailHost pipeline.</exception>
    public MailSessionConnection(ConnectionContext connection, MailSessionSettings settings, CancellationToken stopping)
    {
        _connection = connection;
        Info = connection.Features.Get<IMailConnectionFeature>()
            ?? throw new InvalidOperationException(DisplayName(settings.Protocol) + " needs the MailHost connection pipeline (UseMail).");
        Tls = connection.Features.Get<IMailTlsFeature>()!;
        Logger = settings.Logger;
        TimeProvider = settings.TimeProvider;
        Stopping = stopping;
        _shutdown = settings.Shutdown;
        ShutdownDeadline = settings.Shutdown?.Deadline ?? CancellationToken.None;
        var traced = settings.Protocol == MailProtocol.Smtp ? Info.Endpoint.Protocol : settings.Protocol;
        Trace = new ProtocolTrace(settings.LoggerFactory, traced, connection.ConnectionId);
        Flusher = new MailOutputFlusher(connection, settings.WriteTimeout, settings.TimeProvider, settings.Logger, stopping);
        Input = connection.Transport.Input;
        Output = connection.Transport.Output;
    }

    /// <summary>What the connection layer knows about the connection; the session sets the account and client name.</summary>
    public IMailConnectionFeature Info { get; }

    /// <summary>STARTTLS for this connection.</summary>
    public IMailTlsFeature Tls { get; }

    /// <summary>The protocol trace; secrets are redacted by the session, which knows which bytes are secret.</summary>
    public ProtocolTrace Trace { get; }

    /// <summary>The session's logger.</summary>
    public ILogger Logger { get; }

    /// <summary>The clock of every deadline.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Cancelled when the host begins to stop: a session waiting for the client says goodbye and closes.</summary>
    public CancellationToken Stopping { get; }

    /// <summary>Whether the host is stopping: a session not yet greeted says goodbye instead, and no new transfer starts.</summary>
    public bool IsStopping => Stopping.IsCancellationRequested;

    /// <summary>
    /// Cancelled <c>MailHost:ShutdownTimeout</c> after the host began to stop: a transfer (DATA, BDAT, APPEND) or
    /// command still running is cut, unacknowledged. Never cancelled without a host.
    /// </summary>
    public CancellationToken ShutdownDeadline { get; }

    /// <summary>Whether <see cref="ShutdownDeadline"/> has passed.</summary>
    public bool IsShutdownDeadlinePassed => ShutdownDeadline.IsCancellationRequested;

    /// <summary>Cancelled by the session time limit (<see cref="LimitSessionTime"/>); never when there is none.</summary>
    public CancellationToken SessionLimit => _sessionLimit?.Token ?? CancellationToken.None;

    /// <summary>Every flush of the session goes through here (the write timeout).</summary>
    public MailOutputFlusher Flusher { get; }

    /// <summary>The client's input: the transport's, and after STARTTLS the decrypted one.</summary>
    public PipeReader Input { get; private set; }

    /// <summary>The output to the client: the transport's, and after STARTTLS the encrypted one.</summary>
    public PipeWriter Output { get; private set; }

    /// <summary>Ends the session after <paramref name="limit"/> (none when not positive) unless <see cref="LiftSessionTimeLimit"/> comes first.</summary>
    public void LimitSessionTime(TimeSpan limit)
    {
        if (limit <= TimeSpan.Zero || _sessionLimit is not null)
        {
            return;
        }

        _sessionLimit = new CancellationTokenSource(limit, TimeProvider);
    }

    /// <summary>Lifts the session time limit (the session proved who it is); the host stopping still ends the session.</summary>
    public void LiftSessionTimeLimit() => _sessionLimit?.CancelAfter(Timeout.InfiniteTimeSpan);

    /// <summary>
    /// A deadline for one unit of input (a command line, a SASL response); it ends with the session time limit too,
    /// and at once when the host begins to stop.
    /// </summary>
    public MailReadDeadline StartDeadline(TimeSpan timeout) => new(timeout, TimeProvider, Stopping, SessionLimit);

    /// <summary>
    /// A deadline for the rest of a transfer in progress (an IMAP APPEND literal): the host beginning to stop does not
    /// end it, only <see cref="ShutdownDeadline"/> does, so a transfer may finish and be acknowledged.
    /// </summary>
    public MailReadDeadline StartTransferDeadline(TimeSpan timeout) => new(timeout, TimeProvider, ShutdownDeadline, SessionLimit);

    /// <summary>Why an expired deadline ended: the host stopping, the session limit, or its own time.</summary>
    public MailReadStatus ExpiredStatus => IsShutdownDeadlinePassed ? MailReadStatus.Stopping
        : _sessionLimit is { IsCancellationRequested: true } ? MailReadStatus.SessionExpired
        : Stopping.IsCancellationRequested ? MailReadStatus.Stopping
        : MailReadStatus.TimedOut;

    /// <summary>Counts the session, ended by the host stopping, for the stop's summary line.</summary>
    public void RecordShutdown(MailShutdownOutcome outcome) => _shutdown?.Record(outcome);

    /// <summary>
    /// The buffered input, or new input after flushing the replies so far. Buffered input is taken without flushing,
    /// so pipelined commands are answered in one batch (RFC 2920 §3.2), unless replies have piled up: those go out
    /// first, and while the client does not read them nothing more is read from it (SECURITY rule 3: a pipelining
    /// client that never reads would otherwise grow the server without bound). <paramref name="deadline"/> belongs to
    /// the caller's whole unit (line, transfer), never to one read; its end is a status, not an exception.
    /// </summary>
    public async ValueTask<(MailReadStatus Status, ReadResult Result)> ReadAsync(CancellationToken deadline)
    {
        await FlushIfFullAsync(Output).ConfigureAwait(false);
        if (!_waitForNewInput && TryReadBuffered(Input, out var buffered))
        {
            return (MailReadStatus.Ready, buffered);
        }

        _waitForNewInput = false;
        await Flusher.FlushAsync(Output).ConfigureAwait(false);
        try
        {
            return (MailReadStatus.Ready, await Input.ReadAsync(deadline).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return (ExpiredStatus, default);
        }
    }

    /// <summary>
    /// The same read on pipes the session layers itself (IMAP's COMPRESS); <paramref name="waitForNewInput"/> when the
    /// last read examined every buffered byte. Throws <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> ends the wait.
    /// </summary>
    public async ValueTask<ReadResult> ReadAsync(PipeReader input, PipeWriter output, bool waitForNewInput, CancellationToken cancellationToken)
    {
        await FlushIfFullAsync(output).ConfigureAwait(false);
        if (!waitForNewInput && TryReadBuffered(input, out var buffered))
        {
            return buffered;
        }

        await Flusher.FlushAsync(output).ConfigureAwait(false);
        return await input.ReadAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// After input the parser could not finish (a line without its CRLF): false when the input has ended (the client
    /// closed; everything is consumed), else true, with <see cref="Input"/> left at <paramref name="consumed"/> and
    /// the next read waiting for new bytes.
    /// </summary>
    public bool ContinueAfterIncomplete(in ReadResult result, SequencePosition consumed)
    {
        if (result.IsCompleted)
        {
            Input.AdvanceTo(result.Buffer.End);
            return false;
        }

        Input.AdvanceTo(consumed, result.Buffer.End);
        _waitForNewInput = true;
        return true;
    }

    /// <summary>Flushes <see cref="Output"/> within the write timeout; a client that reads nothing meanwhile has its connection aborted.</summary>
    public ValueTask FlushAsync() => Flusher.FlushAsync(Output);

    /// <summary>Flushes <see cref="Output"/> once 64 KiB are buffered, so a long reply never piles up in memory.</summary>
    public ValueTask FlushIfFullAsync() => FlushIfFullAsync(Output);

    /// <summary>
    /// STARTTLS: discards what the client sent after the command, has <paramref name="sendReady"/> write and flush
    /// the positive reply, and on success continues on the encrypted transport (<see cref="RestartAfterTls"/>).
    /// </summary>
    public async ValueTask<StartTlsOutcome> StartTlsAsync(Func<ValueTask> sendReady, bool checkHttpAgain)
    {
        var outcome = await Tls.StartTlsAsync(sendReady, CancellationToken.None).ConfigureAwait(false);
        if (outcome == StartTlsOutcome.Started)
        {
            RestartAfterTls(checkHttpAgain);
        }

        return outcome;
    }

    /// <summary>
    /// After a TLS handshake nothing read before it survives (SECURITY A1): the transport dropped the unread bytes,
    /// and this takes its new pipes and forgets any input state and partly traced command. The session resets its
    /// parser and protocol state. <paramref name="checkHttpAgain"/>: the first command inside TLS is checked for HTTP too.
    /// </summary>
    public void RestartAfterTls(bool checkHttpAgain)
    {
        Input = _connection.Transport.Input;
        Output = _connection.Transport.Output;
        _waitForNewInput = false;
        _commandTrace?.ResetWrittenCount();
        _traceDiscarded = 0;
        if (checkHttpAgain)
        {
            _awaitingFirstCommand = true;
        }
    }

    /// <summary>
    /// Records that a command (or a line refused as one) arrived; true when it is HTTP arriving first, a browser or a
    /// cross-protocol attack (SECURITY A6, ALPACA): close without answering anything that could echo it.
    /// </summary>
    public bool IsHttpFirstCommand(bool isHttpRequest)
    {
        var first = _awaitingFirstCommand;
        _awaitingFirstCommand = false;
        return first && isHttpRequest;
    }

    /// <summary>Counts a bad command; true when that makes <paramref name="limit"/> and the session must close.</summary>
    public bool CountBadCommand(int limit) => ++_badCommands >= limit;

    /// <summary>Starts the count of bad commands over (a protocol that closes only on bad commands in a row).</summary>
    public void ForgiveBadCommands() => _badCommands = 0;

    /// <summary>
    /// Collects what the parser consumed until the command ends, then traces it, each line redacted on its own: a
    /// LOGIN literal is redacted with its line, never traced alone. The first <paramref name="discarded"/> bytes were
    /// dropped unparsed (a refused literal and the rest of its command): they are counted, never shown, since a
    /// refused LOGIN literal is a password.
    /// </summary>
    public void TraceCommandPart(ReadOnlySequence<byte> bytes, long discarded, bool commandEnded)
    {
        if (!Trace.IsEnabled)
        {
            return;
        }

        if (discarded > 0)
        {
            _traceDiscarded += discarded;
            bytes = bytes.Slice(Math.Min(discarded, bytes.Length));
        }

        if (_traceDiscarded > 0 && (!bytes.IsEmpty || commandEnded))
        {
            Trace.ReceivedPayload(_traceDiscarded, "refused literal, discarded");
            _traceDiscarded = 0;
        }

        _commandTrace ??= new ArrayBufferWriter<byte>();
        if (_commandTrace.WrittenCount < MaxTracedCommand)
        {
            foreach (var segment in bytes)
            {
                var take = Math.Min(segment.Length, MaxTracedCommand - _commandTrace.WrittenCount);
                _commandTrace.Write(segment.Span[..take]);
            }
        }

        if (commandEnded)
        {
            FlushCommandTrace();
        }
    }

    /// <summary>Traces the command collected so far (see <see cref="TraceCommandPart"/>).</summary>
    public void FlushCommandTrace()
    {
        if (_commandTrace is { WrittenCount: > 0 })
        {
            Trace.ReceivedCommands(_commandTrace.WrittenSpan);
            _commandTrace.ResetWrittenCount();
        }
    }

    /// <summary>Releases the timers; the session has ended.</summary>
    public void Dispose()
    {
        _sessionLimit?.Dispose();
        Flusher.Dispose();
    }

    private static string DisplayName(MailProtocol protocol) => protocol switch
    {
        MailProtocol.Imap => "IMAP",
        MailProtocol.Pop3 => "POP3",
        _ => "SMTP",
    };

    /// <summary>Buffered input, if any: an empty buffer that is not the end of the input is no input.</summary>
    private static bool TryReadBuffered(PipeReader input, out ReadResult result)
    {
        if (!input.TryRead(out result))
        {
            return false;
        }

        if (!result.Buffer.IsEmpty || result.IsCompleted)
        {
            return true;
        }

        input.AdvanceTo(result.Buffer.Start);
        return false;
    }

    private ValueTask FlushIfFullAsync(PipeWriter output) => MailOutputFlusher.IsFull(output) ? Flusher.FlushAsync(output) : ValueTask.CompletedTask;
}
