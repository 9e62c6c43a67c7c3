using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace MailHost.Storage.Sqlite.Mail;

/// <summary>
/// Idle reader connections of <see cref="SqliteMailStore"/> with their prepared statements: a read takes one, runs
/// in its own transaction and gives it back. Bounded, so that a burst of readers does not keep its connections for
/// ever. Thread-safe.
/// </summary>
internal sealed class SqliteReaderPool : IAsyncDisposable
{
    private const int MaxIdle = 32;

    private readonly ConcurrentBag<DbSession> _idle = [];
    private readonly string _connectionString;
    private readonly string? _cachePragma;
    private int _idleCount;
    private volatile bool _closed;

    /// <param name="connectionString">The database's connection string.</param>
    /// <param name="cacheBytes">Each connection's page cache (SQLite's <c>cache_size</c>), or 0 for SQLite's default.</param>
    public SqliteReaderPool(string connectionString, long cacheBytes)
    {
        _connectionString = connectionString;

        // A negative cache_size is a size in KiB, whatever the page size.
        _cachePragma = cacheBytes > 0 ? string.Create(CultureInfo.InvariantCulture, $"PRAGMA cache_size = -{Math.Max(1, cacheBytes / 1024)};") : null;
    }

    /// <summary>An idle reader, or a new one.</summary>
    public async Task<DbSession> TakeAsync(CancellationToken cancellationToken) =>
        TakeIdle() ?? new DbSession(await OpenAsync(cancellationToken).ConfigureAwait(false), cacheCommands: true);

    /// <summary>A new connection of its own, outside the pool (content streams that outlive one read).</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            // No PRAGMA mmap_size: with the writer committing, the mapping is redone as the file grows, and the
            // page faults and unmaps cost more than the pread calls they save (benchmarks/README.md, round 2).
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            if (_cachePragma is not null)
            {
                using var pragma = connection.CreateCommand();
                pragma.CommandText = _cachePragma;
                await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Gives a reader back; one whose read failed may be in any state and is closed, not reused.</summary>
    public async ValueTask ReturnAsync(DbSession db, bool reusable)
    {
        if (reusable && !_closed)
        {
            if (Interlocked.Increment(ref _idleCount) <= MaxIdle)
            {
                _idle.Add(db);
                if (_closed)
                {
                    // The pool closed while this read ran: close what DisposeAsync may have missed.
                    await CloseIdleAsync().ConfigureAwait(false);
                }

                return;
            }

            Interlocked.Decrement(ref _idleCount);
        }

        await CloseAsync(db).ConfigureAwait(false);
    }

    /// <summary>Closes every idle reader and the driver's pool of this database; readers given back later are closed.</summary>
    public async ValueTask DisposeAsync()
    {
        _closed = true;
        await CloseIdleAsync().ConfigureAwait(false);
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private DbSession? TakeIdle()
    {
        if (_idle.TryTake(out var db))
        {
            Interlocked.Decrement(ref _idleCount);
            return db;
        }

        return null;
    }

    private async ValueTask CloseIdleAsync()
    {
        while (TakeIdle() is { } reader)
        {
            await CloseAsync(reader).ConfigureAwait(false);
        }
    }

    private static async ValueTask CloseAsync(DbSession db)
    {
        db.Dispose();
        await db.Connection.DisposeAsync().ConfigureAwait(false);
    }
}
