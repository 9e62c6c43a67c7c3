using MailHost.Accounts;
using MailHost.Dkim;
using Npgsql;

namespace MailHost.Storage.Postgres.Queue;

/// <summary>
/// DKIM keys in the <c>dkim_keys</c> table, one row per domain, in the database every host of the site shares. Inside
/// the server it uses the queue's connections (<see cref="PostgresDkimKeyStore(PostgresOutboundQueueStore)"/>); tools
/// open it on their own (<see cref="OpenAsync"/>). Every signer reads the table per message, so a key saved anywhere
/// signs the next message any host sends.
/// </summary>
public sealed class PostgresDkimKeyStore : IDkimKeyStore, IAsyncDisposable
{
    private readonly PostgresComponentDatabase _database;

    /// <summary>Keeps the keys in the database of <paramref name="queue"/>, on its connections.</summary>
    public PostgresDkimKeyStore(PostgresOutboundQueueStore queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        _database = new PostgresComponentDatabase(queue.DataSource, ownsDataSource: false, PostgresDkimSchema.Component, PostgresDkimSchema.Migrations);
    }

    private PostgresDkimKeyStore(PostgresComponentDatabase database) => _database = database;

    /// <summary>Opens the keys of the database of <paramref name="connectionString"/> (creating or migrating the table), without the queue.</summary>
    /// <exception cref="InvalidOperationException">The database has a newer key schema than this MailHost knows.</exception>
    public static async Task<PostgresDkimKeyStore> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        var store = new PostgresDkimKeyStore(
            new PostgresComponentDatabase(PostgresDataSources.Create(connectionString), ownsDataSource: true, PostgresDkimSchema.Component, PostgresDkimSchema.Migrations));
        try
        {
            await store._database.EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return store;
    }

    /// <inheritdoc />
    public async ValueTask<DkimKey?> GetAsync(string domain, CancellationToken cancellationToken)
    {
        if (MailAddressCanonicalizer.CanonicalizeDomain(domain) is not { } canonical)
        {
            return null;
        }

        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var command = new NpgsqlCommand("SELECT selector, algorithm, private_key, created FROM dkim_keys WHERE domain = @domain", connection);
            command.Parameters.Add(new NpgsqlParameter<string>("domain", canonical));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            return new DkimKey(canonical, reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3));
        }
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
            var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    // Insert, else replace. Keys are never deleted, so when the insert finds the domain taken (by a
                    // commit, or after waiting for a concurrent one) the update finds the row: exactly one of two
                    // hosts saving a new domain at once says it replaced a key, and one key wins whole.
                    var inserted = await ExecuteAsync(
                        connection,
                        transaction,
                        """
                        INSERT INTO dkim_keys (domain, selector, algorithm, private_key, created)
                        VALUES (@domain, @selector, @algorithm, @key, @created)
                        ON CONFLICT (domain) DO NOTHING
                        """,
                        normalized,
                        cancellationToken).ConfigureAwait(false);
                    if (inserted == 0)
                    {
                        await ExecuteAsync(
                            connection,
                            transaction,
                            "UPDATE dkim_keys SET selector = @selector, algorithm = @algorithm, private_key = @key, created = @created WHERE domain = @domain",
                            normalized,
                            cancellationToken).ConfigureAwait(false);
                    }

                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    return StoreResult<bool>.Success(inserted == 0);
                }
            }
        }
        catch (Exception ex) when (PostgresFailures.IsUnavailable(ex))
        {
            return StoreResult<bool>.Fail(StoreErrorCode.Unavailable, PostgresFailures.Describe("The DKIM key table", ex));
        }
    }

    /// <summary>Closes the connections when this store opened them; a store over a queue leaves the queue's open.</summary>
    public ValueTask DisposeAsync() => _database.DisposeAsync();

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, DkimKey key, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string>("domain", key.Domain));
        command.Parameters.Add(new NpgsqlParameter<string>("selector", key.Selector));
        command.Parameters.Add(new NpgsqlParameter<string>("algorithm", key.Algorithm));
        command.Parameters.Add(new NpgsqlParameter<string>("key", key.PrivateKeyPem));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("created", PostgresTimes.ToStored(key.Created)));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
