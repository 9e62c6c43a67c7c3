using System.Globalization;
using MailHost.Delivery;
using MailHost.Delivery.Queue;
using Npgsql;

namespace MailHost.Storage.Postgres.Queue;

/// <summary>
/// The outbound queue in PostgreSQL, shared by every host of a site: envelopes and recipients in rows, content in
/// <c>bytea</c> chunks of the same database (one commit makes a message durable, and no host needs another's disk).
/// A claim takes the earliest due message with <c>FOR UPDATE SKIP LOCKED</c> and writes the lease (owner, token, end)
/// into its row, so hosts claiming at once never wait on each other nor get the same message while its lease holds;
/// a host that dies leaves a lease that simply ends. Leases are measured by the hosts' clocks, which must agree (NTP)
/// to well within the lease duration.
/// </summary>
/// <remarks>
/// Database failures are <see cref="StoreErrorCode.Unavailable"/> where the contract returns a result
/// (<see cref="EnqueueAsync"/>, <see cref="CompleteAsync"/>); elsewhere the <see cref="NpgsqlException"/> propagates
/// to the worker's error boundary, which retries the round, and never reads as "nothing due" or "lease lost".
/// </remarks>
public sealed class PostgresOutboundQueueStore : IOutboundQueueStore, IAsyncDisposable
{
    private const string What = "The queue database";

    private readonly PostgresComponentDatabase _database;
    private readonly TimeProvider _time;

    /// <summary>Creates the queue on the database of <paramref name="connectionString"/>; its tables are created or migrated on first use.</summary>
    public PostgresOutboundQueueStore(string connectionString, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        _database = new PostgresComponentDatabase(PostgresDataSources.Create(connectionString), ownsDataSource: true, PostgresQueueSchema.Component, PostgresQueueSchema.Migrations);
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The pooled connections of this queue, shared by a <see cref="PostgresDkimKeyStore"/> made over it.</summary>
    internal NpgsqlDataSource DataSource => _database.DataSource;

    /// <summary>Opens the queue, creating or migrating its tables now rather than on first use.</summary>
    /// <exception cref="InvalidOperationException">The database has a newer queue schema than this MailHost knows.</exception>
    public static async Task<PostgresOutboundQueueStore> OpenAsync(string connectionString, TimeProvider? timeProvider, CancellationToken cancellationToken)
    {
        var queue = new PostgresOutboundQueueStore(connectionString, timeProvider);
        try
        {
            await queue._database.EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await queue.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return queue;
    }

    /// <inheritdoc />
    public async ValueTask<StoreResult<string>> EnqueueAsync(OutboundEnvelope envelope, Stream content, DateTimeOffset expires, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(content);
        if (envelope.Recipients.Count == 0)
        {
            return StoreResult<string>.Fail(StoreErrorCode.InvalidArgument, "A queued message needs at least one recipient.");
        }

        var now = PostgresTimes.ToStored(_time.GetUtcNow());
        var id = Guid.CreateVersion7(now).ToString("N", CultureInfo.InvariantCulture);
        try
        {
            var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    // The row first (the chunks refer to it), its size once the content is read.
                    await InsertMessageAsync(connection, transaction, id, envelope, now, PostgresTimes.ToStored(expires), cancellationToken).ConfigureAwait(false);
                    var size = await PostgresQueueContentWriter.WriteAsync(connection, transaction, id, content, cancellationToken).ConfigureAwait(false);
                    await InsertRecipientsAsync(connection, transaction, id, envelope, now, size, cancellationToken).ConfigureAwait(false);

                    // The id is returned only after the commit: the SMTP 250 that follows promises durability
                    // (RFC 5321 §6.1). A commit whose answer is lost reads as a failure, so the client sends again:
                    // a duplicate rather than a loss, as §6.1 prefers.
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            return id;
        }
        catch (Exception ex) when (PostgresFailures.IsUnavailable(ex))
        {
            return StoreResult<string>.Fail(PostgresFailures.CodeFor(ex), PostgresFailures.Describe(What, ex));
        }
    }

    /// <inheritdoc />
    public async ValueTask<QueueLease?> ClaimAsync(string owner, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        var now = PostgresTimes.ToStored(_time.GetUtcNow());
        var until = PostgresTimes.ToStored(now + duration);
        var token = Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                // SKIP LOCKED: a row another host is claiming right now is passed over instead of waited for, and the
                // lease condition is checked again on the locked row, so a lease written meanwhile is never taken.
                QueuedMessage message;
                await using (var claim = new NpgsqlCommand(
                    $"""
                    UPDATE queue_messages AS m SET lease_owner = @owner, lease_token = @token, lease_until = @until
                    FROM (
                        SELECT id FROM queue_messages
                        WHERE next_attempt <= @now AND (lease_until IS NULL OR lease_until <= @now)
                        ORDER BY next_attempt, created, id
                        LIMIT 1
                        FOR UPDATE SKIP LOCKED
                    ) AS due
                    WHERE m.id = due.id
                    RETURNING {PostgresQueueRows.MessageColumns}
                    """,
                    connection,
                    transaction))
                {
                    claim.Parameters.Add(new NpgsqlParameter<string>("owner", owner));
                    claim.Parameters.Add(new NpgsqlParameter<string>("token", token));
                    claim.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("until", until));
                    claim.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now));
                    await using var reader = await claim.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        return null;
                    }

                    message = PostgresQueueRows.ReadMessage(reader);
                }

                var recipients = await PostgresQueueRows.ReadRecipientsAsync(connection, transaction, message.Id, cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return new QueueLease(token, owner, until, message with { Recipients = recipients });
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<QueueLease?> RenewAsync(QueueLease lease, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var until = PostgresTimes.ToStored(_time.GetUtcNow() + duration);
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // The token is the lease: once another worker claimed the message (or it was removed) nothing matches.
            await using var renew = new NpgsqlCommand("UPDATE queue_messages SET lease_until = @until WHERE id = @id AND lease_token = @token", connection);
            renew.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("until", until));
            renew.Parameters.Add(new NpgsqlParameter<string>("id", lease.Message.Id));
            renew.Parameters.Add(new NpgsqlParameter<string>("token", lease.Token));
            var changed = await renew.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return changed == 1 ? lease with { Until = until } : null;
        }
    }

    /// <inheritdoc />
    public async ValueTask<StoreResult<bool>> CompleteAsync(QueueLease lease, IReadOnlyList<QueueRecipientUpdate> updates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(updates);
        var id = lease.Message.Id;
        var now = PostgresTimes.ToStored(_time.GetUtcNow());
        try
        {
            var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    // The row lock holds off a claim by another host between this check and the commit.
                    if (!await HoldsLeaseAsync(connection, transaction, lease, cancellationToken).ConfigureAwait(false))
                    {
                        return StoreResult<bool>.Fail(StoreErrorCode.NotFound, "The lease on the queued message was lost.");
                    }

                    await UpdateRecipientsAsync(connection, transaction, id, updates, now, cancellationToken).ConfigureAwait(false);
                    var removed = await ReleaseOrRemoveAsync(connection, transaction, id, cancellationToken).ConfigureAwait(false);
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    return removed;
                }
            }
        }
        catch (Exception ex) when (PostgresFailures.IsUnavailable(ex))
        {
            return StoreResult<bool>.Fail(StoreErrorCode.Unavailable, PostgresFailures.Describe(What, ex));
        }
    }

    /// <inheritdoc />
    public async ValueTask<Stream?> OpenContentAsync(string messageId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messageId);
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var command = new NpgsqlCommand("SELECT size FROM queue_messages WHERE id = @id", connection);
            command.Parameters.Add(new NpgsqlParameter<string>("id", messageId));
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long size
                ? new PostgresQueueContentStream(_database.DataSource, messageId, size)
                : null;
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<QueuedMessage>> ListAsync(CancellationToken cancellationToken)
    {
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // One snapshot for both queries, so every message is listed with the recipients it had.
            var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var messages = new List<QueuedMessage>();
                await using (var command = new NpgsqlCommand($"SELECT {PostgresQueueRows.MessageColumns} FROM queue_messages AS m ORDER BY m.created, m.id", connection, transaction))
                await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        messages.Add(PostgresQueueRows.ReadMessage(reader));
                    }
                }

                var recipients = new Dictionary<string, List<QueuedRecipient>>(StringComparer.Ordinal);
                await using (var command = new NpgsqlCommand($"SELECT {PostgresQueueRows.RecipientColumns} FROM queue_recipients ORDER BY message_id, id", connection, transaction))
                await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        var messageId = reader.GetString(13);
                        if (!recipients.TryGetValue(messageId, out var list))
                        {
                            recipients[messageId] = list = [];
                        }

                        list.Add(PostgresQueueRows.ReadRecipient(reader));
                    }
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return [.. messages.Select(m => m with { Recipients = recipients.GetValueOrDefault(m.Id) ?? [] })];
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<QueuedMessage?> GetAsync(string messageId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messageId);
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var message = await PostgresQueueRows.ReadAsync(connection, transaction, messageId, cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return message;
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<int> RetryAsync(string? messageId, CancellationToken cancellationToken)
    {
        var now = PostgresTimes.ToStored(_time.GetUtcNow());
        var filter = messageId is null ? string.Empty : " AND message_id = @id";
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                await using var recipients = new NpgsqlCommand("UPDATE queue_recipients SET next_attempt = @now WHERE state = 0" + filter, connection, transaction);
                await using var messages = new NpgsqlCommand(
                    "UPDATE queue_messages SET next_attempt = LEAST(next_attempt, @now)" + (messageId is null ? string.Empty : " WHERE id = @id"),
                    connection,
                    transaction);
                foreach (var command in new[] { recipients, messages })
                {
                    command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now));
                    if (messageId is not null)
                    {
                        command.Parameters.Add(new NpgsqlParameter<string>("id", messageId));
                    }
                }

                await recipients.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                var changed = await messages.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return changed;
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> RemoveAsync(string messageId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messageId);
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // Recipients and content chunks go with the row (ON DELETE CASCADE), in the same commit.
            await using var command = new NpgsqlCommand("DELETE FROM queue_messages WHERE id = @id", connection);
            command.Parameters.Add(new NpgsqlParameter<string>("id", messageId));
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }
    }

    /// <inheritdoc />
    public async ValueTask<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken)
    {
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // A leased message is due again when its lease ends (GREATEST ignores a NULL lease), so a host wakes up
            // for the message of a host that died.
            await using var command = new NpgsqlCommand("SELECT MIN(GREATEST(next_attempt, lease_until)) FROM queue_messages", connection);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is DateTime value
                ? new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc))
                : null;
        }
    }

    /// <inheritdoc />
    public async ValueTask<OutboundQueueSummary> SummarizeAsync(CancellationToken cancellationToken)
    {
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var command = new NpgsqlCommand("SELECT COUNT(*), MIN(created) FROM queue_messages", connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            return new OutboundQueueSummary(
                (int)reader.GetInt64(0),
                reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1));
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _database.DisposeAsync();

    private static async Task InsertMessageAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string id, OutboundEnvelope envelope, DateTimeOffset now, DateTimeOffset expires, CancellationToken cancellationToken)
    {
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO queue_messages (id, reverse_path, account, body, smtputf8, ret, envid, origin, size, created, expires, next_attempt)
            VALUES (@id, @reverse, @account, @body, @utf8, @ret, @envid, @origin, 0, @now, @expires, @now)
            """,
            connection,
            transaction);
        insert.Parameters.Add(new NpgsqlParameter<string>("id", id));
        insert.Parameters.Add(new NpgsqlParameter("reverse", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)envelope.ReversePath ?? DBNull.Value });
        insert.Parameters.Add(new NpgsqlParameter<string>("account", envelope.Account));
        insert.Parameters.Add(new NpgsqlParameter<int>("body", (int)envelope.Body));
        insert.Parameters.Add(new NpgsqlParameter<bool>("utf8", envelope.SmtpUtf8));
        insert.Parameters.Add(new NpgsqlParameter<int>("ret", (int)envelope.Return));
        insert.Parameters.Add(new NpgsqlParameter("envid", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)envelope.EnvelopeId ?? DBNull.Value });
        insert.Parameters.Add(new NpgsqlParameter<int>("origin", (int)envelope.Origin));
        insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now));
        insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("expires", expires));
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Inserts the recipients (in RCPT order, so their ids keep it) and the message's size, in one round trip.</summary>
    private static async Task InsertRecipientsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string id, OutboundEnvelope envelope, DateTimeOffset now, long size, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var recipient in envelope.Recipients)
        {
            var insert = new NpgsqlBatchCommand(
                """
                INSERT INTO queue_recipients (message_id, address, domain, notify, orcpt_type, orcpt, state, reported, attempts, next_attempt)
                VALUES (@id, @address, @domain, @notify, @otype, @orcpt, 0, false, 0, @now)
                """);
            insert.Parameters.Add(new NpgsqlParameter<string>("id", id));
            insert.Parameters.Add(new NpgsqlParameter<string>("address", recipient.Address));
            insert.Parameters.Add(new NpgsqlParameter<string>("domain", recipient.Domain));
            insert.Parameters.Add(new NpgsqlParameter<int>("notify", (int)recipient.Notify));
            insert.Parameters.Add(new NpgsqlParameter("otype", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)recipient.OriginalRecipient?.AddressType ?? DBNull.Value });
            insert.Parameters.Add(new NpgsqlParameter("orcpt", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)recipient.OriginalRecipient?.Address ?? DBNull.Value });
            insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now));
            batch.BatchCommands.Add(insert);
        }

        var sized = new NpgsqlBatchCommand("UPDATE queue_messages SET size = @size WHERE id = @id");
        sized.Parameters.Add(new NpgsqlParameter<long>("size", size));
        sized.Parameters.Add(new NpgsqlParameter<string>("id", id));
        batch.BatchCommands.Add(sized);
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<bool> HoldsLeaseAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, QueueLease lease, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT lease_token FROM queue_messages WHERE id = @id FOR UPDATE", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string>("id", lease.Message.Id));
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string token
            && string.Equals(token, lease.Token, StringComparison.Ordinal);
    }

    private static async Task UpdateRecipientsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string id, IReadOnlyList<QueueRecipientUpdate> updates, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (updates.Count == 0)
        {
            return;
        }

        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var update in updates)
        {
            var command = new NpgsqlBatchCommand(
                """
                UPDATE queue_recipients SET state = @state, reported = @reported, attempts = @attempts, next_attempt = @next,
                    last_attempt = @now, last_reply = @reply, remote_mta = @mta
                WHERE id = @rid AND message_id = @id
                """);
            command.Parameters.Add(new NpgsqlParameter<int>("state", (int)update.State));
            command.Parameters.Add(new NpgsqlParameter<bool>("reported", update.Reported));
            command.Parameters.Add(new NpgsqlParameter<int>("attempts", update.Attempts));
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("next", PostgresTimes.ToStored(update.NextAttempt)));
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now));
            command.Parameters.Add(new NpgsqlParameter("reply", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)update.LastReply ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter("mta", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)update.RemoteMta ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter<long>("rid", update.RecipientId));
            command.Parameters.Add(new NpgsqlParameter<string>("id", id));
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Makes the message due at the earliest next attempt of a pending recipient or of a final one still waiting for
    /// its report, releasing the lease; removes it (content included) when there is none. Whether it was removed.
    /// </summary>
    private static async Task<bool> ReleaseOrRemoveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string id, CancellationToken cancellationToken)
    {
        await using var release = new NpgsqlCommand(
            """
            UPDATE queue_messages SET next_attempt = due.next, lease_owner = NULL, lease_token = NULL, lease_until = NULL
            FROM (SELECT MIN(next_attempt) AS next FROM queue_recipients WHERE message_id = @id AND (state = 0 OR NOT reported)) AS due
            WHERE id = @id AND due.next IS NOT NULL
            """,
            connection,
            transaction);
        release.Parameters.Add(new NpgsqlParameter<string>("id", id));
        if (await release.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0)
        {
            return false;
        }

        await using var remove = new NpgsqlCommand("DELETE FROM queue_messages WHERE id = @id", connection, transaction);
        remove.Parameters.Add(new NpgsqlParameter<string>("id", id));
        await remove.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }
}
