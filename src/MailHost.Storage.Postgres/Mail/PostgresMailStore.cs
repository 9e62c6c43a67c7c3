using System.Data;
using System.Text.Json;
using MailHost.Storage.Common;
using MailHost.Storage.Mime;
using MailHost.Storage.Postgres.Queue;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace MailHost.Storage.Postgres.Mail;

/// <summary>
/// The message store shared by several hosts: everything in one PostgreSQL database, content included
/// (content-addressed, chunked, reference-counted). Each host runs its own instance; PostgreSQL is the only shared
/// state. Writes to a mailbox serialise on its row (<c>FOR UPDATE</c>), so UIDs and MODSEQs rise in commit order,
/// and every write is committed before its call returns. Changes reach the other hosts' views through
/// <c>LISTEN</c>/<c>NOTIFY</c> (<see cref="PostgresChangeFeed"/>).
/// </summary>
public sealed partial class PostgresMailStore : IMailStore, IMailStoreMaintenance
{
    internal static readonly JsonSerializerOptions Json = new() { MaxDepth = 1024 };

    private const int WriteAttempts = 4;
    private const int SpoolMemoryThreshold = 1024 * 1024;

    private readonly PostgresMailStoreOptions _options;
    private readonly ILogger _logger;
    private readonly NpgsqlDataSource _dataSource;

    // True inside OpenAsync (and what it awaits): its own reads and writes must not wait for the open to finish.
    private static readonly AsyncLocal<bool> Opening = new();
    private readonly SemaphoreSlim _openLock = new(1, 1);
    private volatile bool _opened;
    private bool _disposed;

    /// <summary>Creates the store; it opens (migrates, releases this host's leftovers, listens for changes) on first use or on <see cref="OpenAsync(CancellationToken)"/>.</summary>
    public PostgresMailStore(PostgresMailStoreOptions options, ILogger<PostgresMailStore>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.ConnectionString);
        ArgumentException.ThrowIfNullOrEmpty(options.InstanceId);
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        Time = timeProvider ?? TimeProvider.System;
        _dataSource = PostgresDataSources.Create(options.ConnectionString);
        Blobs = new PostgresContentBlobs(_dataSource, options.ContentChunkSize);
        ContentCache = new ContentCache(options.ContentCacheBytes);
        Feed = new PostgresChangeFeed(options.ConnectionString, options.ChangeFeedTrust, _logger);
        Retained = new RetainedMessages(this, _logger);
    }

    /// <inheritdoc/>
    public MailStoreLimits Limits => _options.Limits;

    /// <inheritdoc/>
    public StoreCheckReport? LastCheck { get; private set; }

    internal TimeProvider Time { get; }

    internal IContentBlobs Blobs { get; }

    /// <summary>Small messages' bytes this host keeps in memory for FETCH pages (<see cref="ContentCache"/>).</summary>
    internal ContentCache ContentCache { get; }

    internal PostgresChangeFeed Feed { get; }

    /// <summary>Expunged messages kept for this host's open views (RFC 2180 §4.1.1).</summary>
    internal RetainedMessages Retained { get; }

    /// <summary>The open views of this host, by mailbox.</summary>
    internal OpenMailboxViews Views => Retained.Views;

    internal string InstanceId => _options.InstanceId;

    internal PostgresMailStoreOptions Options => _options;

    /// <summary>
    /// Opens the store: applies the <c>mail</c> migrations (under the advisory lock every host shares), releases the
    /// rows this host kept for its views before it last stopped, and starts listening for changes.
    /// </summary>
    public static async Task<PostgresMailStore> OpenAsync(PostgresMailStoreOptions options, ILogger<PostgresMailStore>? logger, TimeProvider? timeProvider, CancellationToken cancellationToken)
    {
        var store = new PostgresMailStore(options, logger, timeProvider);
        try
        {
            await store.OpenAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Opens the store as <see cref="OpenAsync(PostgresMailStoreOptions, ILogger{PostgresMailStore}?, TimeProvider?, CancellationToken)"/> describes; idempotent, and tried again after a failure.</summary>
    /// <exception cref="InvalidOperationException">The database holds a newer mail schema than this MailHost knows.</exception>
    /// <exception cref="NpgsqlException">The database cannot be reached.</exception>
    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_opened)
        {
            return;
        }

        await _openLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_opened)
            {
                return;
            }

            Opening.Value = true;
            var applied = await PostgresSchema.MigrateAsync(_dataSource, PostgresMailSchema.Component, PostgresMailSchema.Migrations, cancellationToken).ConfigureAwait(false);
            var version = await PostgresSchema.GetVersionAsync(_dataSource, PostgresMailSchema.Component, cancellationToken).ConfigureAwait(false);
            var released = await Retained.ReleaseLeftoversAsync(cancellationToken).ConfigureAwait(false);
            LastCheck = new StoreCheckReport(version, 0, 0, 0, 0);
            PostgresMailLog.Opened(_logger, version, applied, released);
            await Feed.StartAsync(cancellationToken).ConfigureAwait(false);
            Retained.Start();
            _opened = true;
        }
        finally
        {
            Opening.Value = false;
            _openLock.Release();
        }
    }

    /// <inheritdoc/>
    public async ValueTask<StoreResult<IMailAccount>> OpenAccountAsync(string accountName, CancellationToken cancellationToken)
    {
        if (DefaultMailboxes.ValidateAccountName(accountName).Error is { } error)
        {
            return StoreResult<IMailAccount>.Fail(error);
        }

        // Almost always there already: one statement, no transaction. A new account is created with its mailboxes.
        var existing = await TryReadAsync(
            async (s, ct) => StoreResult<long?>.Success(await s.LongAsync("SELECT id FROM accounts WHERE name = $1", ct, accountName).ConfigureAwait(false)),
            cancellationToken,
            singleStatement: true).ConfigureAwait(false);
        var accountId = !existing.IsSuccess ? StoreResult<long>.Fail(existing.Error)
            : existing.Value is { } id ? StoreResult<long>.Success(id)
            : await WriteAsync(async (s, ct) => StoreResult<long>.Success(await EnsureAccountAsync(s, accountName, ct).ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
        return accountId.IsSuccess
            ? StoreResult<IMailAccount>.Success(new PostgresMailAccount(this, accountName, accountId.Value))
            : StoreResult<IMailAccount>.Fail(accountId.Error);
    }

    /// <inheritdoc/>
    public async ValueTask<StoreResult> DeleteAccountAsync(string accountName, CancellationToken cancellationToken)
    {
        var result = await WriteAsync(async (s, ct) =>
        {
            var accountId = await s.LongAsync("SELECT id FROM accounts WHERE name = $1 FOR UPDATE", ct, accountName ?? string.Empty).ConfigureAwait(false);
            if (accountId is null)
            {
                return StoreResult<bool>.Fail(StoreErrorCode.NotFound, "No such account.");
            }

            var mailboxes = await s.ListAsync("SELECT id FROM mailboxes WHERE account_id = $1 ORDER BY id FOR UPDATE", r => r.GetInt64(0), ct, accountId).ConfigureAwait(false);
            foreach (var mailboxId in mailboxes)
            {
                await RemoveMailboxAsync(s, mailboxId, ct).ConfigureAwait(false);
            }

            await s.ExecAsync("DELETE FROM subscriptions WHERE account_id = $1", ct, accountId).ConfigureAwait(false);
            await s.ExecAsync("DELETE FROM threads WHERE account_id = $1", ct, accountId).ConfigureAwait(false);
            await s.ExecAsync("DELETE FROM accounts WHERE id = $1", ct, accountId).ConfigureAwait(false);
            return StoreResult<bool>.Success(true);
        }, cancellationToken).ConfigureAwait(false);
        return result.IsSuccess ? StoreResult.Success : StoreResult.Fail(result.Error);
    }

    /// <inheritdoc/>
    public async ValueTask<StoreResult> SetQuotaLimitsAsync(string accountName, QuotaLimits? limits, CancellationToken cancellationToken)
    {
        if (DefaultMailboxes.ValidateAccountName(accountName).Error is { } error)
        {
            return StoreResult.Fail(error);
        }

        var result = await WriteAsync(async (s, ct) =>
        {
            var accountId = await EnsureAccountAsync(s, accountName, ct).ConfigureAwait(false);
            await s.ExecAsync(
                "UPDATE accounts SET quota_set = $2, quota_storage = $3, quota_messages = $4 WHERE id = $1",
                ct,
                accountId,
                limits is not null,
                limits?.StorageLimit,
                limits?.MessageLimit).ConfigureAwait(false);
            return StoreResult<bool>.Success(true);
        }, cancellationToken).ConfigureAwait(false);
        return result.IsSuccess ? StoreResult.Success : StoreResult.Fail(result.Error);
    }

    /// <inheritdoc/>
    public async ValueTask<StoreResult<DeliveryResult>> DeliverAsync(Stream content, IReadOnlyList<DeliveryTarget> targets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Count == 0)
        {
            return StoreResult<DeliveryResult>.Fail(StoreErrorCode.InvalidArgument, "A delivery needs at least one target.");
        }

        var prepared = await PrepareAsync(content, encodeNulParts: false, cancellationToken).ConfigureAwait(false);
        if (!prepared.IsSuccess)
        {
            return StoreResult<DeliveryResult>.Fail(prepared.Error);
        }

        var item = prepared.Value;
        await using (item.Spool.ConfigureAwait(false))
        {
            return await WriteAsync(async (s, ct) =>
            {
                await UploadAsync(s, item, ct).ConfigureAwait(false);

                // Every account row locked up front, in id order: two deliveries to the same people never deadlock.
                // The accounts are almost always there, and then finding and locking them is one statement.
                var names = targets.Select(t => t.AccountName).Where(n => DefaultMailboxes.ValidateAccountName(n).Error is null).Distinct(StringComparer.Ordinal).ToArray();
                var accounts = (await s.ListAsync("SELECT name, id FROM accounts WHERE name = ANY($1) ORDER BY id FOR UPDATE", r => (Name: r.GetString(0), Id: r.GetInt64(1)), ct, (object)names).ConfigureAwait(false))
                    .ToDictionary(a => a.Name, a => a.Id, StringComparer.Ordinal);
                if (accounts.Count < names.Length)
                {
                    foreach (var name in names.Where(n => !accounts.ContainsKey(n)))
                    {
                        accounts[name] = await EnsureAccountAsync(s, name, ct).ConfigureAwait(false);
                    }

                    await s.ExecAsync("SELECT id FROM accounts WHERE id = ANY($1) ORDER BY id FOR UPDATE", ct, accounts.Values.ToArray()).ConfigureAwait(false);
                }
                var results = new List<DeliveryTargetResult>(targets.Count);
                foreach (var target in targets)
                {
                    if (DefaultMailboxes.ValidateAccountName(target.AccountName).Error is { } accountError)
                    {
                        results.Add(new DeliveryTargetResult(target, null, accountError));
                        continue;
                    }

                    var one = await InsertMessageAsync(s, accounts[target.AccountName], target.Mailbox, item, target.Options ?? AppendOptions.Default, ct).ConfigureAwait(false);
                    results.Add(one.IsSuccess ? new DeliveryTargetResult(target, one.Value, null) : new DeliveryTargetResult(target, null, one.Error));
                }

                return StoreResult<DeliveryResult>.Success(new DeliveryResult(results, item.Size));
            }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await Retained.DisposeAsync().ConfigureAwait(false);
        await Feed.DisposeAsync().ConfigureAwait(false);
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        _openLock.Dispose();
    }

    /// <inheritdoc/>
    /// <remarks>The check holds the mail tables against every host's writers while it runs (<see cref="PostgresMailCheck"/>).</remarks>
    public async ValueTask<StoreCheckReport> CheckAsync(CancellationToken cancellationToken)
    {
        var version = await PostgresSchema.GetVersionAsync(_dataSource, PostgresMailSchema.Component, cancellationToken).ConfigureAwait(false);
        var result = await WriteAsync(
            async (s, ct) => StoreResult<StoreCheckReport>.Success(await PostgresMailCheck.RunAsync(s, version, _logger, ct).ConfigureAwait(false)),
            cancellationToken).ConfigureAwait(false);
        if (!result.IsSuccess)
        {
            throw new IOException(result.Error.Message);
        }

        LastCheck = result.Value;
        return result.Value;
    }

    // Every read and write opens the store first (a no-op once open), so it works without an explicit OpenAsync.
    private Task EnsureOpenAsync(CancellationToken cancellationToken) => _opened || Opening.Value ? Task.CompletedTask : OpenAsync(cancellationToken);

    /// <summary>
    /// Runs a read in one REPEATABLE READ, read-only transaction: every query of it sees the same committed state.
    /// A database failure throws (<see cref="NpgsqlException"/>); reads that return a result use <see cref="TryReadAsync"/>.
    /// </summary>
    internal async Task<T> ReadAsync<T>(Func<PgSession, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await EnsureOpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
            var session = new PgSession(connection, transaction);
            var result = await read(session, cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken))
        {
            Feed.Distrust();
            throw;
        }
    }

    /// <summary>
    /// Runs a read of one statement without a transaction around it (PostgreSQL runs a lone statement in one snapshot
    /// anyway): no <c>BEGIN</c>, no <c>COMMIT</c> round trip. A database failure throws, as in <see cref="ReadAsync{T}"/>.
    /// </summary>
    internal async Task<T> ReadSingleAsync<T>(Func<PgSession, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await EnsureOpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return await read(new PgSession(connection, null), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken))
        {
            Feed.Distrust();
            throw;
        }
    }

    /// <summary>A read whose database failure becomes <see cref="StoreErrorCode.Unavailable"/>.</summary>
    /// <param name="read">The read.</param>
    /// <param name="cancellationToken">Ends the read.</param>
    /// <param name="singleStatement">The read is one statement: it runs without a transaction (<see cref="ReadSingleAsync{T}"/>).</param>
    internal async Task<StoreResult<T>> TryReadAsync<T>(Func<PgSession, CancellationToken, Task<StoreResult<T>>> read, CancellationToken cancellationToken, bool singleStatement = false)
    {
        try
        {
            return singleStatement
                ? await ReadSingleAsync(read, cancellationToken).ConfigureAwait(false)
                : await ReadAsync(read, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken))
        {
            PostgresMailLog.WriteFailed(_logger, ex);
            return StoreResult<T>.Fail(StoreErrorCode.Unavailable, "The store could not be read.");
        }
    }

    /// <summary>
    /// Runs a write in one READ COMMITTED transaction and commits it, with its deferred writes
    /// (<see cref="PgSession.Defer"/>) in the same round trip; a failed result rolls everything back, deferred writes
    /// included (they were never sent). Work queued with <see cref="PgSession.AfterCommit"/> runs after the commit. A
    /// deadlock or serialisation failure is retried; any other database failure is
    /// <see cref="StoreErrorCode.Unavailable"/>, never a success.
    /// </summary>
    internal async Task<StoreResult<T>> WriteAsync<T>(Func<PgSession, CancellationToken, Task<StoreResult<T>>> write, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await EnsureOpenAsync(cancellationToken).ConfigureAwait(false);
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
                var session = new PgSession(connection, transaction);
                var result = await write(session, cancellationToken).ConfigureAwait(false);
                if (!result.IsSuccess)
                {
                    await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                    return result;
                }

                await session.CommitAsync(cancellationToken).ConfigureAwait(false);
                foreach (var action in session.Committed)
                {
                    action();
                }

                return result;
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure && attempt < WriteAttempts)
            {
                // Lock order makes this rare; the whole write runs again on fresh rows.
            }
            catch (Exception ex) when (IsUnavailable(ex, cancellationToken))
            {
                PostgresMailLog.WriteFailed(_logger, ex);
                Feed.Distrust();
                return PostgresFailures.CodeFor(ex) == StoreErrorCode.InsufficientStorage
                    ? StoreResult<T>.Fail(StoreErrorCode.InsufficientStorage, "Insufficient system storage, try again later.")
                    : StoreResult<T>.Fail(StoreErrorCode.Unavailable, "The store could not complete the change.");
            }
        }
    }

    internal async Task<StoreResult<PreparedContent>> PrepareAsync(Stream content, bool encodeNulParts, CancellationToken cancellationToken)
    {
        var spoolOptions = new MessageSpoolOptions(_options.SpoolDirectory ?? Path.Combine(Path.GetTempPath(), "mailhost-spool"), SpoolMemoryThreshold, Limits.MaxMessageSize);
        StoreResult<(MessageSpool Spool, IndexedMessage Indexed)> prepared;
        try
        {
            prepared = await MessagePreparation.PrepareAsync(content, spoolOptions, Limits, encodeNulParts, cancellationToken).ConfigureAwait(false);
        }
        catch (UnauthorizedAccessException ex)
        {
            PostgresMailLog.WriteFailed(_logger, ex);
            return StoreResult<PreparedContent>.Fail(StoreErrorCode.Unavailable, "The store could not take the message.");
        }

        if (!prepared.IsSuccess)
        {
            return StoreResult<PreparedContent>.Fail(prepared.Error);
        }

        var (spool, indexed) = prepared.Value;
        var json = SearchFolding.Clean(JsonSerializer.Serialize(indexed.Index with { References = null }, Json));
        var references = SearchFolding.Clean(JsonSerializer.Serialize(indexed.Index.References ?? [], Json));
        return new PreparedContent(
            spool,
            json,
            references,
            SearchFolding.Fold(indexed.HeaderText),
            SearchFolding.Fold(indexed.BodyText),
            SearchFolding.Clean(indexed.AddressText),
            indexed.Index.SentDate,
            indexed.MessageId is null ? null : SearchFolding.Clean(indexed.MessageId),
            [.. indexed.References.Select(SearchFolding.Clean)]);
    }

    private static bool IsUnavailable(Exception ex, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && ex is NpgsqlException or TimeoutException or IOException or InvalidOperationException { InnerException: NpgsqlException };
}
