using System.Globalization;
using MailHost.Delivery;
using MailHost.Delivery.Queue;
using MailHost.Protocols.Smtp;
using MailHost.Storage.Sqlite.Mail;
using Microsoft.Data.Sqlite;

namespace MailHost.Storage.Sqlite.Queue;

/// <summary>
/// The outbound queue in SQLite: rows in <c>&lt;dataDirectory&gt;/queue.db</c>, each message's content in its own
/// fsynced file under <c>&lt;dataDirectory&gt;/queue/</c>. Claims run in <c>BEGIN IMMEDIATE</c> transactions and
/// compare lease tokens, so several processes sharing the data directory never hold the same message at once.
/// </summary>
public sealed partial class SqliteOutboundQueueStore : IOutboundQueueStore, IAsyncDisposable
{
    /// <summary>The database file inside the data directory.</summary>
    public const string DatabaseFileName = "queue.db";

    private const string ContentDirectoryName = "queue";
    private const string ContentExtension = ".eml";

    /// <summary>How old a content file without a row must be before the sweep at open deletes it.</summary>
    internal static readonly TimeSpan OrphanAge = TimeSpan.FromHours(1);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TimeProvider _time;
    private readonly string _databasePath;
    private readonly string _contentDirectory;
    private readonly string _tempDirectory;
    private SqliteConnection? _connection;

    /// <summary>
    /// Creates the queue of a data directory; the database opens (and migrates, and sweeps orphan content files)
    /// on first use.
    /// </summary>
    public SqliteOutboundQueueStore(string dataDirectory, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        var root = Path.GetFullPath(dataDirectory);
        _databasePath = Path.Combine(root, DatabaseFileName);
        _contentDirectory = Path.Combine(root, ContentDirectoryName);
        _tempDirectory = Path.Combine(_contentDirectory, "tmp");
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// Opens (creating and migrating as needed) the queue of a data directory, and deletes content files that no
    /// row refers to and that are over an hour old (left by a crash between writing a file and committing its row).
    /// Safe while another process uses the same queue.
    /// </summary>
    public static async Task<SqliteOutboundQueueStore> OpenAsync(string dataDirectory, TimeProvider? timeProvider, CancellationToken cancellationToken)
    {
        var queue = new SqliteOutboundQueueStore(dataDirectory, timeProvider);
        await queue._gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await queue.EnsureOpenAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            queue._gate.Release();
        }

        return queue;
    }

    /// <summary>Opens the database on first use; call with the gate held.</summary>
    private async Task<SqliteConnection> EnsureOpenAsync(CancellationToken cancellationToken)
    {
        if (_connection is not null)
        {
            return _connection;
        }

        OwnerOnlyFiles.CreateDirectory(_tempDirectory);
        var connection = await SqliteDatabase.OpenAsync(_databasePath, cancellationToken).ConfigureAwait(false);
        try
        {
            await SqliteDatabase.MigrateAsync(connection, SqliteOutboundQueueSchema.Migrations, cancellationToken).ConfigureAwait(false);
            await RemoveOrphansAsync(connection, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        _connection = connection;
        return connection;
    }

    /// <summary>Runs <paramref name="work"/> on the open connection with the gate held (the DKIM key table shares the database).</summary>
    internal async Task<T> WithConnectionAsync<T>(Func<SqliteConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await EnsureOpenAsync(cancellationToken).ConfigureAwait(false);
            return await work(await EnsureOpenAsync(cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
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

        // Opened first: the orphan sweep of the first open must not see this message's file before its row exists.
        await WithConnectionAsync(c => Task.FromResult(c), cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var id = Guid.CreateVersion7(now).ToString("N", CultureInfo.InvariantCulture);
        var path = ContentPath(id);
        long size;
        try
        {
            size = await WriteContentAsync(id, content, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return StoreResult<string>.Fail(SqliteFailures.CodeFor(ex), SqliteFailures.MessageFor(ex, "The queue could not write the message: " + ex.GetType().Name + "."));
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await EnsureOpenAsync(cancellationToken).ConfigureAwait(false);
            using var transaction = connection.BeginTransaction(deferred: false);
            await ExecuteAsync(
                transaction,
                """
                INSERT INTO queue_messages (id, reverse_path, account, body, smtputf8, ret, envid, size, created, expires, next_attempt, origin)
                VALUES ($id, $reverse, $account, $body, $utf8, $ret, $envid, $size, $now, $expires, $now, $origin);
                """,
                cancellationToken,
                ("$id", id),
                ("$reverse", envelope.ReversePath),
                ("$account", envelope.Account),
                ("$body", (int)envelope.Body),
                ("$utf8", envelope.SmtpUtf8 ? 1 : 0),
                ("$ret", (int)envelope.Return),
                ("$envid", envelope.EnvelopeId),
                ("$size", size),
                ("$now", now.ToUnixTimeMilliseconds()),
                ("$expires", expires.ToUnixTimeMilliseconds()),
                ("$origin", (int)envelope.Origin)).ConfigureAwait(false);
            foreach (var recipient in envelope.Recipients)
            {
                await ExecuteAsync(
                    transaction,
                    """
                    INSERT INTO queue_recipients (message_id, address, domain, notify, orcpt_type, orcpt, state, reported, attempts, next_attempt)
                    VALUES ($id, $address, $domain, $notify, $otype, $orcpt, 0, 0, 0, $now);
                    """,
                    cancellationToken,
                    ("$id", id),
                    ("$address", recipient.Address),
                    ("$domain", recipient.Domain),
                    ("$notify", (int)recipient.Notify),
                    ("$otype", recipient.OriginalRecipient?.AddressType),
                    ("$orcpt", recipient.OriginalRecipient?.Address),
                    ("$now", now.ToUnixTimeMilliseconds())).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return id;
        }
        catch (SqliteException ex)
        {
            TryDelete(path);
            return StoreResult<string>.Fail(SqliteFailures.CodeFor(ex), SqliteFailures.MessageFor(ex, "The queue database failed: " + ex.SqliteErrorCode.ToString(CultureInfo.InvariantCulture) + "."));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask<QueueLease?> ClaimAsync(string owner, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await EnsureOpenAsync(cancellationToken).ConfigureAwait(false);
            var now = _time.GetUtcNow();
            var nowMs = now.ToUnixTimeMilliseconds();

            // BEGIN IMMEDIATE: the write lock is taken before the due message is chosen, so a second process
            // choosing at the same moment waits and then sees this lease.
            using var transaction = connection.BeginTransaction(deferred: false);
            if (await ScalarAsync(
                transaction,
                """
                SELECT id FROM queue_messages
                WHERE next_attempt <= $now AND (lease_until IS NULL OR lease_until <= $now)
                ORDER BY next_attempt, created LIMIT 1;
                """,
                cancellationToken,
                ("$now", nowMs)).ConfigureAwait(false) is not string id)
            {
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return null;
            }

            var token = Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);
            var until = now + duration;
            await ExecuteAsync(
                transaction,
                "UPDATE queue_messages SET lease_owner = $owner, lease_token = $token, lease_until = $until WHERE id = $id;",
                cancellationToken,
                ("$owner", owner),
                ("$token", token),
                ("$until", until.ToUnixTimeMilliseconds()),
                ("$id", id)).ConfigureAwait(false);
            var message = await ReadMessageAsync(transaction, id, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return new QueueLease(token, owner, FromMs(until.ToUnixTimeMilliseconds()), message!);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask<QueueLease?> RenewAsync(QueueLease lease, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await EnsureOpenAsync(cancellationToken).ConfigureAwait(false);
            var until = FromMs((_time.GetUtcNow() + duration).ToUnixTimeMilliseconds());
            using var transaction = connection.BeginTransaction(deferred: false);
            var changed = await ExecuteAsync(
                transaction,
                "UPDATE queue_messages SET lease_until = $until WHERE id = $id AND lease_token = $token;",
                cancellationToken,
                ("$until", until.ToUnixTimeMilliseconds()),
                ("$id", lease.Message.Id),
                ("$token", lease.Token)).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return changed == 1 ? lease with { Until = until } : null;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask<StoreResult<bool>> CompleteAsync(QueueLease lease, IReadOnlyList<QueueRecipientUpdate> updates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(updates);
        var id = lease.Message.Id;
        bool removed;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await EnsureOpenAsync(cancellationToken).ConfigureAwait(false);
            var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
            using var transaction = connection.BeginTransaction(deferred: false);
            var token = await ScalarAsync(transaction, "SELECT lease_token FROM queue_messages WHERE id = $id;", cancellationToken, ("$id", id)).ConfigureAwait(false) as string;
            if (!string.Equals(token, lease.Token, StringComparison.Ordinal))
            {
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return StoreResult<bool>.Fail(StoreErrorCode.NotFound, "The lease on the queued message was lost.");
            }

            foreach (var update in updates)
            {
                await ExecuteAsync(
                    transaction,
                    """
                    UPDATE queue_recipients SET state = $state, reported = $reported, attempts = $attempts, next_attempt = $next,
                        last_attempt = $now, last_reply = $reply, remote_mta = $mta
                    WHERE id = $rid AND message_id = $id;
                    """,
                    cancellationToken,
                    ("$state", (int)update.State),
                    ("$reported", update.Reported ? 1 : 0),
                    ("$attempts", update.Attempts),
                    ("$next", update.NextAttempt.ToUnixTimeMilliseconds()),
                    ("$now", nowMs),
                    ("$reply", update.LastReply),
                    ("$mta", update.RemoteMta),
                    ("$rid", update.RecipientId),
                    ("$id", id)).ConfigureAwait(false);
            }

            // Due at the earliest next attempt of a pending recipient or of a final one still waiting for its report.
            var next = await ScalarAsync(
                transaction,
                "SELECT MIN(next_attempt) FROM queue_recipients WHERE message_id = $id AND (state = 0 OR reported = 0);",
                cancellationToken,
                ("$id", id)).ConfigureAwait(false);
            removed = next is null or DBNull;
            if (removed)
            {
                await ExecuteAsync(transaction, "DELETE FROM queue_messages WHERE id = $id;", cancellationToken, ("$id", id)).ConfigureAwait(false);
            }
            else
            {
                await ExecuteAsync(
                    transaction,
                    "UPDATE queue_messages SET next_attempt = $next, lease_owner = NULL, lease_token = NULL, lease_until = NULL WHERE id = $id;",
                    cancellationToken,
                    ("$next", Convert.ToInt64(next, CultureInfo.InvariantCulture)),
                    ("$id", id)).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex)
        {
            return StoreResult<bool>.Fail(StoreErrorCode.Unavailable, "The queue database failed: " + ex.SqliteErrorCode.ToString(CultureInfo.InvariantCulture) + ".");
        }
        finally
        {
            _gate.Release();
        }

        if (removed)
        {
            // After the commit: a crash before this line leaves an orphan file, which an open an hour later deletes.
            TryDelete(ContentPath(id));
        }

        return removed;
    }

    /// <inheritdoc />
    public ValueTask<Stream?> OpenContentAsync(string messageId, CancellationToken cancellationToken)
    {
        if (!IsQueueId(messageId))
        {
            return ValueTask.FromResult<Stream?>(null);
        }

        try
        {
            return ValueTask.FromResult<Stream?>(new FileStream(ContentPath(messageId), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 64 * 1024, FileOptions.Asynchronous));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return ValueTask.FromResult<Stream?>(null);
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<QueuedMessage>> ListAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await EnsureOpenAsync(cancellationToken).ConfigureAwait(false);
            using var transaction = connection.BeginTransaction(deferred: true);
            var ids = new List<string>();
            using (var command = Command(transaction, "SELECT id FROM queue_messages ORDER BY created, id;"))
            {
                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    ids.Add(reader.GetString(0));
                }
            }

            var messages = new List<QueuedMessage>(ids.Count);
            foreach (var id in ids)
            {
                if (await ReadMessageAsync(transaction, id, cancellationToken).ConfigureAwait(false) is { } message)
                {
                    messages.Add(message);
                }
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return messages;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask<QueuedMessage?> GetAsync(string messageId, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await EnsureOpenAsync(cancellationToken).ConfigureAwait(false);
            using var transaction = connection.BeginTransaction(deferred: true);
            var message = await ReadMessageAsync(transaction, messageId, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return message;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask<int> RetryAsync(string? messageId, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await EnsureOpenAsync(cancellationToken).ConfigureAwait(false);
            var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
            using var transaction = connection.BeginTransaction(deferred: false);
            await ExecuteAsync(
                transaction,
                "UPDATE queue_recipients SET next_attempt = $now WHERE state = 0 AND ($id IS NULL OR message_id = $id);",
                cancellationToken,
                ("$now", nowMs),
                ("$id", messageId)).ConfigureAwait(false);
            var changed = await ExecuteAsync(
                transaction,
                "UPDATE queue_messages SET next_attempt = MIN(next_attempt, $now) WHERE $id IS NULL OR id = $id;",
                cancellationToken,
                ("$now", nowMs),
                ("$id", messageId)).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return changed;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> RemoveAsync(string messageId, CancellationToken cancellationToken)
    {
        int changed;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await EnsureOpenAsync(cancellationToken).ConfigureAwait(false);
            using var transaction = connection.BeginTransaction(deferred: false);
            changed = await ExecuteAsync(transaction, "DELETE FROM queue_messages WHERE id = $id;", cancellationToken, ("$id", messageId)).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }

        if (changed > 0 && IsQueueId(messageId))
        {
            TryDelete(ContentPath(messageId));
        }

        return changed > 0;
    }

    /// <inheritdoc />
    public async ValueTask<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await EnsureOpenAsync(cancellationToken).ConfigureAwait(false);
            using var transaction = connection.BeginTransaction(deferred: true);
            var value = await ScalarAsync(transaction, "SELECT MIN(MAX(next_attempt, COALESCE(lease_until, 0))) FROM queue_messages;", cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return value is null or DBNull ? null : FromMs(Convert.ToInt64(value, CultureInfo.InvariantCulture));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask<OutboundQueueSummary> SummarizeAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await EnsureOpenAsync(cancellationToken).ConfigureAwait(false);
            using var transaction = connection.BeginTransaction(deferred: true);
            using var command = Command(transaction, "SELECT COUNT(*), MIN(created) FROM queue_messages;");
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var summary = new OutboundQueueSummary(reader.GetInt32(0), reader.IsDBNull(1) ? null : FromMs(reader.GetInt64(1)));
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return summary;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }

        _gate.Dispose();
    }

    private async Task<long> WriteContentAsync(string id, Stream content, CancellationToken cancellationToken)
    {
        var temp = Path.Combine(_tempDirectory, id + ".tmp");
        try
        {
            long size;
            var file = OwnerOnlyFiles.Create(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false))
            {
                await content.CopyToAsync(file, 64 * 1024, cancellationToken).ConfigureAwait(false);
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
                size = file.Length;
            }

            File.Move(temp, ContentPath(id));
            DirectorySync.Flush(_contentDirectory);
            return size;
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private async Task RemoveOrphansAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        // Another process may share the queue (a second host, or the admin command while the server runs): a file
        // it is writing, or has written but not yet committed, looks like an orphan. Only files older than any
        // enqueue can take are swept; file times are the file system's, so the real clock is compared.
        var before = DateTime.UtcNow - OrphanAge;
        foreach (var file in Directory.EnumerateFiles(_tempDirectory))
        {
            if (File.GetLastWriteTimeUtc(file) < before)
            {
                TryDelete(file);
            }
        }

        var known = new HashSet<string>(StringComparer.Ordinal);
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT id FROM queue_messages;";
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                known.Add(reader.GetString(0));
            }
        }

        foreach (var file in Directory.EnumerateFiles(_contentDirectory, "*" + ContentExtension))
        {
            if (!known.Contains(Path.GetFileNameWithoutExtension(file)) && File.GetLastWriteTimeUtc(file) < before)
            {
                TryDelete(file);
            }
        }
    }

    private static async Task<QueuedMessage?> ReadMessageAsync(SqliteTransaction transaction, string id, CancellationToken cancellationToken)
    {
        QueuedMessage message;
        using (var command = Command(
            transaction,
            """
            SELECT reverse_path, account, body, smtputf8, ret, envid, size, created, expires, next_attempt, lease_owner, lease_until, origin
            FROM queue_messages WHERE id = $id;
            """,
            ("$id", id)))
        {
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            message = new QueuedMessage(
                id,
                reader.IsDBNull(0) ? null : reader.GetString(0),
                reader.GetString(1),
                reader.GetInt64(6),
                FromMs(reader.GetInt64(7)),
                FromMs(reader.GetInt64(8)),
                FromMs(reader.GetInt64(9)),
                reader.IsDBNull(10) ? null : reader.GetString(10),
                reader.IsDBNull(11) ? null : FromMs(reader.GetInt64(11)),
                [])
            {
                Body = (SmtpBodyType)reader.GetInt32(2),
                SmtpUtf8 = reader.GetInt32(3) != 0,
                Return = (SmtpDsnReturn)reader.GetInt32(4),
                EnvelopeId = reader.IsDBNull(5) ? null : reader.GetString(5),
                Origin = (OutboundOrigin)reader.GetInt32(12),
            };
        }

        var recipients = new List<QueuedRecipient>();
        using (var command = Command(
            transaction,
            """
            SELECT id, address, domain, notify, orcpt_type, orcpt, state, reported, attempts, next_attempt, last_attempt, last_reply, remote_mta
            FROM queue_recipients WHERE message_id = $id ORDER BY id;
            """,
            ("$id", id)))
        {
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                recipients.Add(new QueuedRecipient(
                    reader.GetInt64(0),
                    reader.GetString(1),
                    reader.GetString(2),
                    (SmtpDsnNotify)reader.GetInt32(3),
                    reader.IsDBNull(4) || reader.IsDBNull(5) ? null : new SmtpOriginalRecipient(reader.GetString(4), reader.GetString(5)),
                    (QueueRecipientState)reader.GetInt32(6),
                    reader.GetInt32(7) != 0,
                    reader.GetInt32(8),
                    FromMs(reader.GetInt64(9)),
                    reader.IsDBNull(10) ? null : FromMs(reader.GetInt64(10)),
                    reader.IsDBNull(11) ? null : reader.GetString(11),
                    reader.IsDBNull(12) ? null : reader.GetString(12)));
            }
        }

        return message with { Recipients = recipients };
    }

    private string ContentPath(string id) => Path.Combine(_contentDirectory, id + ContentExtension);

    // Ids are our own 32 lower-case hex digits; anything else (admin input) never becomes a path.
    private static bool IsQueueId(string id) => id is { Length: 32 } && id.All(char.IsAsciiHexDigitLower);

    private static DateTimeOffset FromMs(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for the orphan sweep at the next open.
        }
    }

    private static SqliteCommand Command(SqliteTransaction transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    private static async Task<int> ExecuteAsync(SqliteTransaction transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<object?> ScalarAsync(SqliteTransaction transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(transaction, sql, parameters);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }
}
