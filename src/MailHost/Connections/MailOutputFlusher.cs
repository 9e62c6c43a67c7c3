using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace MailHost.Connections;

/// <summary>
/// Hands a session's replies to the transport within the protocol's write timeout; every flush of a session goes
/// through here. A flush waits while the client is not reading: Kestrel's socket pipe pauses its writer past
/// <c>SocketTransportOptions.MaxWriteBufferSize</c> (64 KiB by default), and a TLS session writes through that same
/// pipe. While a flush waits the session reads no more commands, and sessions flush once <see cref="IsFull"/> even
/// when pipelined commands are buffered, so what one connection holds stays near <see cref="FlushThreshold"/> plus
/// the transport's buffers however fast it sends. A flush still waiting when the write timeout passes, or a short
/// grace after the host began stopping, aborts the connection and throws <see cref="ConnectionAbortedException"/>.
/// </summary>
internal sealed class MailOutputFlusher : IDisposable
{
    /// <summary>Replies buffered past this many octets are flushed before anything more is read.</summary>
    public const int FlushThreshold = 64 * 1024;

    /// <summary>How long a flush may still wait once the host is stopping: a goodbye gets out, a stuck client does not hold the stop.</summary>
    private static readonly TimeSpan StoppingGrace = TimeSpan.FromSeconds(2);

    private readonly ConnectionContext _connection;
    private readonly TimeSpan _writeTimeout;
    private readonly TimeProvider _timeProvider;
    private readonly CancellationToken _stopping;
    private readonly ILogger _logger;
    private CancellationTokenSource _deadline;
    private long _waitStarted;

    public MailOutputFlusher(ConnectionContext connection, TimeSpan writeTimeout, TimeProvider timeProvider, ILogger logger, CancellationToken stopping)
    {
        _connection = connection;
        _writeTimeout = writeTimeout;
        _timeProvider = timeProvider;
        _stopping = stopping;
        _logger = logger;
        _deadline = NewDeadline();
    }

    /// <summary>Whether <paramref name="writer"/> holds enough unflushed replies that they must go out before more input is read.</summary>
    public static bool IsFull(PipeWriter writer) => !writer.CanGetUnflushedBytes || writer.UnflushedBytes >= FlushThreshold;

    /// <summary>Flushes <paramref name="writer"/>; at the deadline the connection is aborted and <see cref="ConnectionAbortedException"/> thrown.</summary>
    public ValueTask FlushAsync(PipeWriter writer)
    {
        var pending = writer.CanGetUnflushedBytes ? writer.UnflushedBytes : 0;
        var flush = writer.FlushAsync(_deadline.Token);
        if (flush.IsCompletedSuccessfully)
        {
            _ = flush.Result;
            return ValueTask.CompletedTask;
        }

        return WaitAsync(flush, pending);
    }

    public void Dispose() => _deadline.Dispose();

    private async ValueTask WaitAsync(ValueTask<FlushResult> flush, long pending)
    {
        // Only a flush that has to wait pays for the timer: the client is behind on reading.
        _waitStarted = _timeProvider.GetTimestamp();
        var registration = default(CancellationTokenRegistration);
        if (_stopping.IsCancellationRequested)
        {
            _deadline.CancelAfter(Min(_writeTimeout, StoppingGrace));
        }
        else
        {
            _deadline.CancelAfter(_writeTimeout);
            registration = _stopping.UnsafeRegister(static state => ((MailOutputFlusher)state!).OnStopping(), this);
        }

        try
        {
            await flush.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_deadline.IsCancellationRequested)
        {
            var info = _connection.Features.Get<IMailConnectionFeature>();
            var atShutdown = _stopping.IsCancellationRequested;
            if (atShutdown)
            {
                ConnectionLog.WriteStalledAtShutdown(_logger, pending);
            }
            else
            {
                ConnectionLog.WriteTimedOut(_logger, (long)_writeTimeout.TotalSeconds, pending);
            }

            if (info is not null)
            {
                MailHostMetrics.TimedOut(info, atShutdown ? MailHostMetrics.ShutdownReason : MailHostMetrics.WriteReason);
            }

            // The client reads nothing, so no goodbye can reach it: close the socket rather than queue more.
            var reason = atShutdown ? "The server is stopping and the client is not reading" : "The client did not read its replies within the write timeout";
            _connection.Abort(new ConnectionAbortedException(reason));
            throw new ConnectionAbortedException(reason);
        }
        finally
        {
            await registration.DisposeAsync().ConfigureAwait(false);
            if (!_deadline.TryReset())
            {
                _deadline.Dispose();
                _deadline = NewDeadline();
            }
        }
    }

    private void OnStopping()
    {
        var left = _writeTimeout - _timeProvider.GetElapsedTime(_waitStarted);
        _deadline.CancelAfter(Min(left > TimeSpan.Zero ? left : TimeSpan.Zero, StoppingGrace));
    }

    private CancellationTokenSource NewDeadline() => new(Timeout.InfiniteTimeSpan, _timeProvider);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
