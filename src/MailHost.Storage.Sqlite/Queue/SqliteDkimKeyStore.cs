using System.Globalization;
using MailHost.Accounts;
using MailHost.Dkim;
using Microsoft.Data.Sqlite;

namespace MailHost.Storage.Sqlite.Queue;

/// <summary>
/// DKIM keys in the <c>dkim_keys</c> table of <c>queue.db</c>, one row per domain. Inside the server it shares the
/// queue's connection (<see cref="SqliteDkimKeyStore(SqliteOutboundQueueStore)"/>); tools open the database on their
/// own (<see cref="OpenAsync"/>) without touching queued messages. Every process reads the table per message, so a key
/// saved by the admin command line signs the next message any of them sends.
/// </summary>
public sealed class SqliteDkimKeyStore : IDkimKeyStore, IAsyncDisposable
{
    private readonly SqliteOutboundQueueStore? _queue;
    private readonly SqliteConnection? _connection;
    private readonly SemaphoreSlim? _gate;

    /// <summary>Keeps the keys in the database of <paramref name="queue"/>, on its connection.</summary>
    public SqliteDkimKeyStore(SqliteOutboundQueueStore queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        _queue = queue;
    }

    private SqliteDkimKeyStore(SqliteConnection connection)
    {
        _connection = connection;
        _gate = new SemaphoreSlim(1, 1);
    }

    /// <summary>
    /// Opens <c>&lt;dataDirectory&gt;/queue.db</c> (creating and migrating it as needed) for the keys only: unlike
    /// <see cref="SqliteOutboundQueueStore.OpenAsync"/>, it never sweeps the queue's content files, so it is safe while
    /// a server is running on the same data directory.
    /// </summary>
    public static async Task<SqliteDkimKeyStore> OpenAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        var path = Path.Combine(Path.GetFullPath(dataDirectory), SqliteOutboundQueueStore.DatabaseFileName);
        var connection = await SqliteDatabase.OpenAsync(path, cancellationToken).ConfigureAwait(false);
        try
        {
            await SqliteDatabase.MigrateAsync(connection, SqliteOutboundQueueSchema.Migrations, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new SqliteDkimKeyStore(connection);
    }

    /// <inheritdoc />
    public async ValueTask<DkimKey?> GetAsync(string domain, CancellationToken cancellationToken)
    {
        if (MailAddressCanonicalizer.CanonicalizeDomain(domain) is not { } canonical)
        {
            return null;
        }

        return await RunAsync(
            async connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = "SELECT selector, algorithm, private_key, created FROM dkim_keys WHERE domain = $domain;";
                command.Parameters.AddWithValue("$domain", canonical);
                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return null;
                }

                return new DkimKey(canonical, reader.GetString(0), reader.GetString(1), reader.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)));
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<StoreResult<bool>> SaveAsync(DkimKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!DkimKeys.TryNormalize(key, out var normalized, out var problem))
        {
            return StoreResult<bool>.Fail(StoreErrorCode.InvalidArgument, problem);
        }

        try
        {
            return await RunAsync(
                async connection =>
                {
                    // BEGIN IMMEDIATE: another process saving the same domain at once waits, and one key wins whole.
                    using var transaction = connection.BeginTransaction(deferred: false);
                    bool existed;
                    using (var select = connection.CreateCommand())
                    {
                        select.Transaction = transaction;
                        select.CommandText = "SELECT 1 FROM dkim_keys WHERE domain = $domain;";
                        select.Parameters.AddWithValue("$domain", normalized.Domain);
                        existed = await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
                    }

                    using (var upsert = connection.CreateCommand())
                    {
                        upsert.Transaction = transaction;
                        upsert.CommandText =
                            """
                            INSERT INTO dkim_keys (domain, selector, algorithm, private_key, created)
                            VALUES ($domain, $selector, $algorithm, $key, $created)
                            ON CONFLICT (domain) DO UPDATE SET
                                selector = excluded.selector, algorithm = excluded.algorithm,
                                private_key = excluded.private_key, created = excluded.created;
                            """;
                        upsert.Parameters.AddWithValue("$domain", normalized.Domain);
                        upsert.Parameters.AddWithValue("$selector", normalized.Selector);
                        upsert.Parameters.AddWithValue("$algorithm", normalized.Algorithm);
                        upsert.Parameters.AddWithValue("$key", normalized.PrivateKeyPem);
                        upsert.Parameters.AddWithValue("$created", normalized.Created.ToUnixTimeMilliseconds());
                        await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }

                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    return StoreResult<bool>.Success(existed);
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex)
        {
            return StoreResult<bool>.Fail(StoreErrorCode.Unavailable, "The DKIM key table failed: " + ex.SqliteErrorCode.ToString(CultureInfo.InvariantCulture) + ".");
        }
    }

    /// <summary>Closes the database when this store opened it; a store over a queue leaves the queue open.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
            _gate!.Dispose();
        }
    }

    private async Task<T> RunAsync<T>(Func<SqliteConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        if (_queue is not null)
        {
            return await _queue.WithConnectionAsync(work, cancellationToken).ConfigureAwait(false);
        }

        await _gate!.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await work(_connection!).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }
}
