using MailHost.Storage.Common;
using Microsoft.Extensions.Logging;

namespace MailHost.Storage.Sqlite.Mail;

/// <summary>
/// Moves pending text into the FTS5 index in the background (schema version 4), a moment after new content commits
/// so that many deliveries share a batch. The batches hold the single writer, so they are kept small and wait while
/// deliveries keep it busy; a message is searchable before it is indexed (see <see cref="SqliteMailboxView"/>).
/// </summary>
internal sealed class SqliteTextIndexer : BackgroundBatchWorker
{
    private static readonly BatchWorkerTimings Timings = new(BatchSize: 200, Delay: TimeSpan.FromMilliseconds(50), Backlog: 20_000, Retry: TimeSpan.FromSeconds(30));
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);

    private readonly SqliteMailStore _store;
    private readonly SqliteWriter _writer;
    private readonly ILogger _logger;

    public SqliteTextIndexer(SqliteMailStore store, SqliteWriter writer, ILogger logger)
        : base(Timings)
    {
        _store = store;
        _writer = writer;
        _logger = logger;
    }

    // Deliveries come first: a batch runs once the writer has had no request for a moment.
    protected override bool IsBusy => Environment.TickCount64 - _writer.LastRequestTicks < Quiet.TotalMilliseconds;

    protected override Task<bool> HasWorkAsync(CancellationToken cancellationToken) =>
        _store.ReadAsync(db => db.Long("SELECT EXISTS (SELECT 1 FROM text_pending) OR EXISTS (SELECT 1 FROM text_released)") == 1, cancellationToken);

    protected override Task<int> RunBatchAsync(int batchSize, CancellationToken cancellationToken) => _store.IndexPendingTextAsync(batchSize, cancellationToken);

    // The pending rows stay searchable meanwhile.
    protected override void OnFailed(Exception exception) => SqliteMailLog.TextIndexFailed(_logger, exception);
}
