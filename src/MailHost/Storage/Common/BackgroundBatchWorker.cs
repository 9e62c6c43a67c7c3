using System.Threading.Channels;

namespace MailHost.Storage.Common;

/// <summary>
/// Deferred store work done in batches off the path of a delivery (text indexing, for one): woken by
/// <see cref="Notify"/>, it waits a moment so that many deliveries share a batch, stays out of the way while the
/// store is busy unless the backlog has grown large, then runs batch after batch until a short one says nothing is
/// left. A failure is reported and retried later; nothing ends the loop but <see cref="DisposeAsync"/>.
/// </summary>
public abstract class BackgroundBatchWorker : IAsyncDisposable
{
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stop = new();
    private readonly BatchWorkerTimings _timings;
    private Task? _loop;

    // Roughly how many items wait (this process's notifications since the last short batch).
    private long _backlog;

    /// <summary>Creates a stopped worker.</summary>
    protected BackgroundBatchWorker(BatchWorkerTimings timings)
    {
        ArgumentNullException.ThrowIfNull(timings);
        _timings = timings;
    }

    /// <summary>Roughly how many items wait, as far as this process knows.</summary>
    public long Backlog => Volatile.Read(ref _backlog);

    /// <summary>Starts the loop, with one look for work left over from before.</summary>
    public void Start()
    {
        if (_loop is not null)
        {
            return;
        }

        _signal.Writer.TryWrite(true);
        _loop = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
    }

    /// <summary>Says that <paramref name="items"/> more items wait; cheap, never blocks.</summary>
    public void Notify(int items = 1)
    {
        Interlocked.Add(ref _backlog, items);
        _signal.Writer.TryWrite(true);
    }

    /// <summary>Stops the loop and waits for the batch in progress to end.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stop.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Whether the store is busy with work that comes first (deliveries); checked before each batch.</summary>
    protected abstract bool IsBusy { get; }

    /// <summary>Whether anything waits at all (another process may have done it); no write when not.</summary>
    protected abstract Task<bool> HasWorkAsync(CancellationToken cancellationToken);

    /// <summary>Runs one batch of at most <paramref name="batchSize"/> items; returns how many it handled.</summary>
    protected abstract Task<int> RunBatchAsync(int batchSize, CancellationToken cancellationToken);

    /// <summary>Reports a failed batch; the work stays waiting and is tried again after <see cref="BatchWorkerTimings.Retry"/>.</summary>
    protected abstract void OnFailed(Exception exception);

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await _signal.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                await DrainAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                OnFailed(ex);
                _signal.Writer.TryWrite(true);
                await Task.Delay(_timings.Retry, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        var handled = _timings.BatchSize;
        while (handled >= _timings.BatchSize)
        {
            await Task.Delay(_timings.Delay, cancellationToken).ConfigureAwait(false);
            if (IsBusy && Backlog < _timings.Backlog)
            {
                continue;
            }

            if (!await HasWorkAsync(cancellationToken).ConfigureAwait(false))
            {
                Volatile.Write(ref _backlog, 0);
                return;
            }

            handled = await RunBatchAsync(_timings.BatchSize, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _backlog, handled < _timings.BatchSize ? 0 : Math.Max(0, Backlog - handled));
        }
    }
}
