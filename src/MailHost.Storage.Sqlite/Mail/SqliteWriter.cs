using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace MailHost.Storage.Sqlite.Mail;

/// <summary>
/// The single writer. Requests queue up; the writer takes every request waiting (up to a batch size), runs each
/// in its own savepoint inside one transaction, commits once (synchronous=FULL: one fsync for the whole batch)
/// and only then completes each request. A request that fails rolls back its savepoint alone; a failed commit
/// fails the whole batch. Readers use their own connections and never wait (WAL).
/// </summary>
internal sealed class SqliteWriter : IAsyncDisposable
{
    private readonly Channel<WriteRequest> _queue = Channel.CreateUnbounded<WriteRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly DbSession _db;
    private readonly bool _groupCommit;
    private readonly int _maxBatch;
    private readonly ILogger _logger;
    private readonly Task _loop;

    public SqliteWriter(SqliteConnection connection, bool groupCommit, int maxBatch, ILogger logger)
    {
        _db = new DbSession(connection, cacheCommands: true);
        _groupCommit = groupCommit;
        _maxBatch = Math.Max(1, maxBatch);
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>
    /// Number of transactions committed that carried callers' writes (for tests and benchmarks); a transaction of
    /// background work alone (text indexing) is not counted.
    /// </summary>
    public long Commits { get; private set; }

    /// <summary><see cref="Environment.TickCount64"/> when the last request was queued: background work waits for a quiet writer.</summary>
    public long LastRequestTicks => Volatile.Read(ref _lastRequestTicks);

    private long _lastRequestTicks;

    private Task? _running;

    /// <summary>
    /// Completes once the batch running at the time of the call, if any, has committed (or failed). Every later batch
    /// starts after the call, so it sees what the caller did before it, with a full fence in between.
    /// </summary>
    public Task RunningBatch => Interlocked.CompareExchange(ref _running, null, null) ?? Task.CompletedTask;

    /// <summary>Queues <paramref name="operation"/>; the task completes after the commit that made it durable.</summary>
    /// <param name="operation">The write.</param>
    /// <param name="cancellationToken">Refuses the write if already cancelled.</param>
    /// <param name="background">Background work (text indexing), which does not count as the writer being busy.</param>
    public Task<T> ExecuteAsync<T>(Func<WriteContext, T> operation, CancellationToken cancellationToken, bool background = false)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var request = new WriteRequest<T>(operation) { Background = background };
        if (!background)
        {
            Volatile.Write(ref _lastRequestTicks, Environment.TickCount64);
        }

        ObjectDisposedException.ThrowIf(!_queue.Writer.TryWrite(request), this);

        // Cancellation after queueing cannot take the write back: the caller waits for the durable outcome.
        return request.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        _db.Dispose();
        await _db.Connection.DisposeAsync().ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var batch = new List<WriteRequest>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var request))
            {
                batch.Add(request);
                if (!_groupCommit)
                {
                    break;
                }
            }

            if (batch.Count == 0)
            {
                continue;
            }

            var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _ = Interlocked.Exchange(ref _running, running.Task);
            try
            {
                RunBatch(batch);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The loop must survive anything, or every later write would wait forever.
                SqliteMailLog.CommitFailed(_logger, ex, batch.Count);
                foreach (var request in batch)
                {
                    request.Failure ??= new StoreUnavailableException("The store could not commit the change.", ex);
                    request.Complete();
                }
            }
            finally
            {
                _ = Interlocked.Exchange(ref _running, null);
                running.SetResult();
            }
        }
    }

    private void RunBatch(List<WriteRequest> batch)
    {
        var context = new WriteContext(_db);
        try
        {
            using var transaction = _db.Connection.BeginTransaction();
            _db.Transaction = transaction;
            foreach (var request in batch)
            {
                context.Begin();
                _db.Exec("SAVEPOINT w");
                try
                {
                    request.Run(context);
                    _db.Exec("RELEASE w");
                    request.AfterCommit = context.TakeAfterCommit();
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    request.Failure = ex;
                    context.TakeAfterCommit();
                    if (SqliteDatabase.TransactionEnded(_db.Connection))
                    {
                        // SQLite rolled the whole transaction back by itself (SQLITE_FULL, SQLITE_IOERR and SQLITE_BUSY
                        // may, per "Response To Errors Within A Transaction"): the savepoint is gone and so is every
                        // write of the batch, which fails as a whole with this request's cause.
                        throw;
                    }

                    _db.Exec("ROLLBACK TO w");
                    _db.Exec("RELEASE w");
                }
            }

            transaction.Commit();
            if (batch.Exists(r => !r.Background))
            {
                Commits++;
            }
        }
        catch (Exception ex) when (ex is SqliteException or IOException or InvalidOperationException)
        {
            SqliteMailLog.CommitFailed(_logger, ex, batch.Count);
            foreach (var request in batch)
            {
                request.Failure ??= new StoreUnavailableException("The store could not commit the change.", ex);
                request.AfterCommit = null;
            }
        }
        finally
        {
            _db.Transaction = null;
        }

        foreach (var request in batch)
        {
            if (request.AfterCommit is { } actions)
            {
                foreach (var action in actions)
                {
                    try
                    {
                        action(_db);
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SqliteException)
                    {
                        // Post-commit work is tidy-up (deleting released files); the start-up check finishes it.
                        SqliteMailLog.AfterCommitFailed(_logger, ex);
                    }
                }
            }

            request.Complete();
        }
    }

    internal abstract class WriteRequest
    {
        public bool Background { get; init; }

        public Exception? Failure { get; set; }

        public List<Action<DbSession>>? AfterCommit { get; set; }

        public abstract void Run(WriteContext context);

        public abstract void Complete();
    }

    private sealed class WriteRequest<T> : WriteRequest
    {
        private readonly Func<WriteContext, T> _operation;
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;

        public WriteRequest(Func<WriteContext, T> operation) => _operation = operation;

        public Task<T> Task => _completion.Task;

        public override void Run(WriteContext context) => _result = _operation(context);

        public override void Complete()
        {
            if (Failure is null)
            {
                _completion.TrySetResult(_result!);
            }
            else
            {
                _completion.TrySetException(Failure);
            }
        }
    }
}
