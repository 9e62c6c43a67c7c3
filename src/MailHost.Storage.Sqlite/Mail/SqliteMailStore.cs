using System.Text.Json;
using MailHost.Storage.Mime;
using MailHost.Storage.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailHost.Storage.Sqlite.Mail;

/// <summary>
/// The embedded message store: SQLite in WAL mode with <c>synchronous=FULL</c> at <c>&lt;DataDirectory&gt;/mail.db</c>,
/// content over <see cref="SqliteMailStoreOptions.InlineThreshold"/> in content-addressed files under
/// <c>&lt;DataDirectory&gt;/blobs/</c> (written, fsynced and renamed into place, directory fsynced, before the
/// commit that references them). One writer group-commits concurrent writes; every call returns only after its
/// commit. Readers use their own connections and never wait for the writer. Checks and repairs itself on open.
/// </summary>
public sealed partial class SqliteMailStore : IMailStore, IMailStoreMaintenance
{
    internal static readonly JsonSerializerOptions Json = new() { MaxDepth = 1024 };

    private readonly CancellationTokenSource _stop = new();
    private SqliteTextIndexer? _textIndexer;

    private readonly SqliteMailStoreOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _openLock = new(1, 1);

    private readonly SqliteReaderPool _readers;
    private SqliteWriter? _writer;
    private bool _disposed;

    /// <summary>Creates the store; it opens (and checks itself) on first use or on <see cref="OpenAsync(CancellationToken)"/>.</summary>
    public SqliteMailStore(SqliteMailStoreOptions options, ILogger<SqliteMailStore>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        Time = timeProvider ?? TimeProvider.System;
        DatabasePath = Path.Combine(Path.GetFullPath(options.DataDirectory), "mail.db");
        ArgumentOutOfRangeException.ThrowIfNegative(options.ReaderCacheBytes, nameof(options.ReaderCacheBytes));
        _readers = new SqliteReaderPool(SqliteDatabase.ConnectionString(DatabasePath, busyTimeout: options.BusyTimeout), options.ReaderCacheBytes);
        Blobs = new BlobStore(options.DataDirectory);
    }

    /// <summary>Full path of <c>mail.db</c>.</summary>
    public string DatabasePath { get; }

    /// <inheritdoc/>
    public MailStoreLimits Limits => _options.Limits;

    /// <inheritdoc/>
    public StoreCheckReport? LastCheck { get; private set; }

    /// <summary>Transactions committed by the writer since the store opened (each one fsync).</summary>
    public long Commits => _writer?.Commits ?? 0;

    internal TimeProvider Time { get; }

    internal BlobStore Blobs { get; }

    internal IMailboxChangeFeed Feed { get; } = new InProcessMailboxChangeFeed();

    internal SqliteMailStoreOptions Options => _options;

    /// <summary>Largest mailbox whose rows a view keeps for FETCH (some hundred bytes a message); lowered by tests.</summary>
    internal int MaxKeptRows { get; init; } = 20_000;

    /// <summary>
    /// Largest mailbox for which a view keeps what SEARCH compares when it keeps no rows for FETCH (about a hundred
    /// bytes a message, so 10 MiB at most); lowered by tests.
    /// </summary>
    internal int MaxKeptSearchRows { get; init; } = 100_000;

    /// <summary>Opens and checks a store in one call.</summary>
    public static async Task<SqliteMailStore> OpenAsync(SqliteMailStoreOptions options, ILogger<SqliteMailStore>? logger, TimeProvider? timeProvider, CancellationToken cancellationToken)
    {
        var store = new SqliteMailStore(options, logger, timeProvider);
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

    /// <summary>Opens the database, applies migrations and runs the start-up check; idempotent.</summary>
    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_writer is not null)
        {
            return;
        }

        await _openLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_writer is not null)
            {
                return;
            }

            var connection = await SqliteDatabase.OpenAsync(DatabasePath, cancellationToken, _options.BusyTimeout).ConfigureAwait(false);
            try
            {
                var applied = await SqliteDatabase.MigrateAsync(connection, SqliteMailSchema.Migrations, cancellationToken).ConfigureAwait(false);
                var version = await SqliteDatabase.GetUserVersionAsync(connection, cancellationToken).ConfigureAwait(false);
                SqliteMailLog.Opened(_logger, DatabasePath, version, applied);
                if (_options.Maintenance)
                {
                    using var db = new DbSession(connection, cacheCommands: false);
                    LastCheck = Check(db, version, startup: true);
                }
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            _writer = new SqliteWriter(connection, _options.GroupCommit, _options.MaxBatchSize, _logger);
            if (_options.Maintenance)
            {
                _textIndexer = new SqliteTextIndexer(this, _writer, _logger);
                _textIndexer.Start();
            }

            _releaser = Task.Run(() => ReleaseRetainedLoopAsync(_stop.Token), CancellationToken.None);
        }
        finally
        {
            _openLock.Release();
        }
    }

    /// <inheritdoc/>
    public async ValueTask<StoreCheckReport> CheckAsync(CancellationToken cancellationToken)
    {
        await OpenAsync(cancellationToken).ConfigureAwait(false);
        var report = await WriteAsync(ctx =>
        {
            var version = (int)(ctx.Db.Long("PRAGMA user_version") ?? 0);
            return StoreResult<StoreCheckReport>.Success(Check(ctx.Db, version, startup: false));
        }, cancellationToken).ConfigureAwait(false);
        LastCheck = report.Value;
        return report.Value;
    }

    /// <inheritdoc/>
    public async ValueTask<StoreResult<IMailAccount>> OpenAccountAsync(string accountName, CancellationToken cancellationToken)
    {
        if (DefaultMailboxes.ValidateAccountName(accountName).Error is { } error)
        {
            return StoreResult<IMailAccount>.Fail(error);
        }

        await OpenAsync(cancellationToken).ConfigureAwait(false);
        var accountId = await ReadAsync(db => db.Long("SELECT id FROM accounts WHERE name = @p0", accountName), cancellationToken).ConfigureAwait(false);
        if (accountId is null)
        {
            var created = await WriteAsync(ctx => StoreResult<long>.Success(EnsureAccount(ctx, accountName)), cancellationToken).ConfigureAwait(false);
            if (!created.IsSuccess)
            {
                return StoreResult<IMailAccount>.Fail(created.Error);
            }

            accountId = created.Value;
        }

        return StoreResult<IMailAccount>.Success(new SqliteMailAccount(this, accountName, accountId.Value));
    }

    /// <inheritdoc/>
    public async ValueTask<StoreResult> DeleteAccountAsync(string accountName, CancellationToken cancellationToken)
    {
        await OpenAsync(cancellationToken).ConfigureAwait(false);
        var result = await WriteAsync(ctx =>
        {
            var accountId = ctx.Db.Long("SELECT id FROM accounts WHERE name = @p0", accountName ?? string.Empty);
            if (accountId is null)
            {
                return StoreResult<bool>.Fail(StoreErrorCode.NotFound, "No such account.");
            }

            var mailboxes = ctx.Db.List("SELECT id FROM mailboxes WHERE account_id = @p0", r => r.GetInt64(0), accountId);
            foreach (var mailboxId in mailboxes)
            {
                ReleaseMailboxMessages(ctx, mailboxId);
                ctx.Db.Exec("DELETE FROM expunged WHERE mailbox_id = @p0", mailboxId);
                ctx.AfterCommit(_ => Feed.Publish(mailboxId, ulong.MaxValue));
            }

            ctx.Db.Exec("DELETE FROM mailboxes WHERE account_id = @p0", accountId);
            ctx.Db.Exec("DELETE FROM subscriptions WHERE account_id = @p0", accountId);
            ctx.Db.Exec("DELETE FROM threads WHERE account_id = @p0", accountId);
            ctx.Db.Exec("DELETE FROM accounts WHERE id = @p0", accountId);
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

        await OpenAsync(cancellationToken).ConfigureAwait(false);
        var result = await WriteAsync(ctx =>
        {
            var accountId = EnsureAccount(ctx, accountName);
            ctx.Db.Exec(
                "UPDATE accounts SET quota_set = @p1, quota_storage = @p2, quota_messages = @p3 WHERE id = @p0",
                accountId,
                limits is null ? 0 : 1,
                limits?.StorageLimit,
                limits?.MessageLimit);
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

        await OpenAsync(cancellationToken).ConfigureAwait(false);
        var prepared = await PrepareAsync(content, encodeNulParts: false, cancellationToken).ConfigureAwait(false);
        if (!prepared.IsSuccess)
        {
            return StoreResult<DeliveryResult>.Fail(prepared.Error);
        }

        var item = prepared.Value;
        try
        {
            var stored = await WriteAsync(ctx =>
            {
                var results = new List<DeliveryTargetResult>(targets.Count);
                foreach (var target in targets)
                {
                    if (DefaultMailboxes.ValidateAccountName(target.AccountName).Error is { } accountError)
                    {
                        results.Add(new DeliveryTargetResult(target, null, accountError));
                        continue;
                    }

                    var accountId = EnsureAccount(ctx, target.AccountName);
                    var one = InsertMessage(ctx, accountId, target.Mailbox, item, target.Options ?? AppendOptions.Default);
                    results.Add(one.IsSuccess ? new DeliveryTargetResult(target, one.Value, null) : new DeliveryTargetResult(target, null, one.Error));
                }

                return StoreResult<DeliveryResult>.Success(new DeliveryResult(results, item.Size));
            }, cancellationToken).ConfigureAwait(false);
            return stored;
        }
        finally
        {
            DeleteSpool(item);
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
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_textIndexer is not null)
        {
            await _textIndexer.DisposeAsync().ConfigureAwait(false);
        }

        if (_releaser is not null)
        {
            await _releaser.ConfigureAwait(false);
        }

        _stop.Dispose();

        if (_writer is not null)
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
        }

        await _readers.DisposeAsync().ConfigureAwait(false);

        _openLock.Dispose();
    }

    internal static IReadOnlyList<string> SplitKeywords(string text) => text.Length == 0 ? [] : text.Split(' ');

    internal static string JoinKeywords(IEnumerable<string> keywords) => string.Join(' ', keywords);

    internal Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken) => _readers.OpenAsync(cancellationToken);

    /// <summary>Runs a read in a read transaction (one consistent WAL snapshot) on an idle reader connection.</summary>
    internal async Task<T> ReadAsync<T>(Func<DbSession, T> read, CancellationToken cancellationToken)
    {
        await OpenAsync(cancellationToken).ConfigureAwait(false);
        var db = await _readers.TakeAsync(cancellationToken).ConfigureAwait(false);
        var reusable = false;
        try
        {
            using var transaction = db.Connection.BeginTransaction(deferred: true);
            db.Transaction = transaction;
            var result = read(db);
            transaction.Commit();
            reusable = true;
            return result;
        }
        finally
        {
            db.Transaction = null;
            await _readers.ReturnAsync(db, reusable).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Queues a write; completes after the commit. A full disk (SQLITE_FULL, ENOSPC) becomes
    /// <see cref="StoreErrorCode.InsufficientStorage"/>, other I/O failures <see cref="StoreErrorCode.Unavailable"/>.
    /// </summary>
    internal async Task<StoreResult<T>> WriteAsync<T>(Func<WriteContext, StoreResult<T>> write, CancellationToken cancellationToken, bool background = false)
    {
        await OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // A refusal undoes what the write did before it refused: its savepoint is rolled back.
            return await _writer!.ExecuteAsync(ctx => WriteRefusedException.ThrowIfRefused(write(ctx)), cancellationToken, background).ConfigureAwait(false);
        }
        catch (WriteRefusedException ex)
        {
            return StoreResult<T>.Fail(ex.Error);
        }
        catch (StoreUnavailableException ex)
        {
            return StoreResult<T>.Fail(SqliteFailures.CodeFor(ex), SqliteFailures.MessageFor(ex, ex.Message));
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            SqliteMailLog.WriteFailed(_logger, ex);
            return StoreResult<T>.Fail(SqliteFailures.CodeFor(ex), SqliteFailures.MessageFor(ex, "The store could not complete the change."));
        }
    }

    internal async Task<StoreResult<PreparedContent>> PrepareAsync(Stream content, bool encodeNulParts, CancellationToken cancellationToken)
    {
        var spoolOptions = new MessageSpoolOptions(Blobs.TempDirectory, _options.InlineThreshold, Limits.MaxMessageSize);
        StoreResult<(MessageSpool Spool, IndexedMessage Indexed)> prepared;
        try
        {
            prepared = await MessagePreparation.PrepareAsync(content, spoolOptions, Limits, encodeNulParts, cancellationToken).ConfigureAwait(false);
        }
        catch (UnauthorizedAccessException ex)
        {
            SqliteMailLog.WriteFailed(_logger, ex);
            return StoreResult<PreparedContent>.Fail(StoreErrorCode.Unavailable, "The store could not take the message.");
        }

        if (!prepared.IsSuccess)
        {
            return StoreResult<PreparedContent>.Fail(prepared.Error);
        }

        var (spool, stored) = prepared.Value;
        await using (spool.ConfigureAwait(false))
        {
            // The References ids live in their own column (schema version 2), not in index_json.
            var json = JsonSerializer.Serialize(stored.Index with { References = null }, Json);
            var references = JsonSerializer.Serialize(stored.Index.References ?? [], Json);
            return new PreparedContent(spool.ContentAddress, spool.Length, spool.Inline, spool.TakeFile(), json, references, stored.HeaderText, stored.BodyText, stored.AddressText, stored.Index.SentDate, stored.MessageId, stored.References);
        }
    }

    internal static void DeleteSpool(PreparedContent content)
    {
        if (content.SpoolFile is { } path && File.Exists(path))
        {
            File.Delete(path);
        }
    }

    internal long EnsureAccount(WriteContext ctx, string accountName)
    {
        if (ctx.Db.Long("SELECT id FROM accounts WHERE name = @p0", accountName) is { } id)
        {
            return id;
        }

        ctx.Db.Exec("INSERT INTO accounts (name) VALUES (@p0)", accountName);
        var accountId = ctx.Db.Long("SELECT last_insert_rowid()")!.Value;
        foreach (var (name, specialUse) in DefaultMailboxes.All)
        {
            CreateMailboxRow(ctx, accountId, name, specialUse, noselect: false);
            ctx.Db.Exec("INSERT OR IGNORE INTO subscriptions (account_id, name) VALUES (@p0, @p1)", accountId, name);
        }

        return accountId;
    }

    internal long CreateMailboxRow(WriteContext ctx, long accountId, string name, MailboxAttributes specialUse, bool noselect)
    {
        var last = (uint)(ctx.Db.Long("SELECT last_uidvalidity FROM accounts WHERE id = @p0", accountId) ?? 0);
        var uidValidity = DefaultMailboxes.NextUidValidity(last, Time.GetUtcNow());
        ctx.Db.Exec("UPDATE accounts SET last_uidvalidity = @p1 WHERE id = @p0", accountId, (long)uidValidity);
        ctx.Db.Exec(
            "INSERT INTO mailboxes (account_id, name, uidvalidity, special_use, noselect) VALUES (@p0, @p1, @p2, @p3, @p4)",
            accountId,
            name,
            (long)uidValidity,
            (int)specialUse,
            noselect ? 1 : 0);
        return ctx.Db.Long("SELECT last_insert_rowid()")!.Value;
    }

    internal static MailboxRow? FindMailbox(DbSession db, long accountId, string name) =>
        db.List($"SELECT {MailboxRow.Columns} FROM mailboxes WHERE account_id = @p0 AND name = @p1", MailboxRow.Read, accountId, name).FirstOrDefault();

    internal static MailboxRow? FindMailbox(DbSession db, long mailboxId) =>
        db.List($"SELECT {MailboxRow.Columns} FROM mailboxes WHERE id = @p0", MailboxRow.Read, mailboxId).FirstOrDefault();

    internal StoreError? CheckQuota(DbSession db, long accountId, long bytes, long messages) => QuotaRules.CheckAdd(ReadQuota(db, accountId), bytes, messages);

    internal QuotaUsage ReadQuota(DbSession db, long accountId)
    {
        var usage = QuotaRules.Usage(0, 0, null, _options.DefaultQuota);
        db.Query("SELECT storage_used, messages_used, quota_set, quota_storage, quota_messages FROM accounts WHERE id = @p0", r =>
        {
            var limits = r.GetInt64(2) != 0 ? new QuotaLimits(r.IsDBNull(3) ? null : r.GetInt64(3), r.IsDBNull(4) ? null : r.GetInt64(4)) : null;
            usage = QuotaRules.Usage(r.GetInt64(0), r.GetInt64(1), limits, _options.DefaultQuota);
        }, accountId);
        return usage;
    }

    /// <summary>Stores one message: every check first, then the writes, so a refusal writes nothing.</summary>
    internal StoreResult<AppendResult> InsertMessage(WriteContext ctx, long accountId, string mailboxName, PreparedContent content, AppendOptions options)
    {
        var name = MailboxName.Normalize(mailboxName, Limits);
        if (!name.IsSuccess)
        {
            return StoreResult<AppendResult>.Fail(name.Error);
        }

        var mailbox = FindMailbox(ctx.Db, accountId, name.Value);
        if (mailbox is null || mailbox.Noselect)
        {
            return StoreResult<AppendResult>.Fail(StoreErrorCode.NotFound, "No such mailbox.");
        }

        var keywords = FlagChange.ResolveKeywords(options.Keywords, mailbox.Keywords, Limits.MaxKeywordsPerMailbox, out var created);
        if (!keywords.IsSuccess)
        {
            return StoreResult<AppendResult>.Fail(keywords.Error);
        }

        if (CheckQuota(ctx.Db, accountId, content.Size, 1) is { } quotaError)
        {
            return StoreResult<AppendResult>.Fail(quotaError);
        }

        if (mailbox.UidNext == uint.MaxValue)
        {
            return StoreResult<AppendResult>.Fail(StoreErrorCode.LimitExceeded, "The mailbox has used up its UIDs.");
        }

        var contentId = AcquireContent(ctx, content);
        var now = Time.GetUtcNow();
        var internalDate = options.InternalDate ?? now;
        var uid = mailbox.UidNext;
        var modSeq = mailbox.HighestModSeq + 1;
        var emailId = MailObjectIds.NewEmailId();
        var threadId = ResolveThread(ctx.Db, accountId, content);
        var messageKeywords = JoinKeywords(new SortedSet<string>(keywords.Value, StringComparer.OrdinalIgnoreCase));
        ctx.Db.Exec(
            "INSERT INTO messages (mailbox_id, uid, content_id, flags, keywords, modseq, internal_date, internal_offset, save_date, email_id, thread_id, size) VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11)",
            mailbox.Id,
            (long)uid,
            contentId,
            (int)options.Flags,
            messageKeywords,
            (long)modSeq,
            internalDate.ToUnixTimeMilliseconds(),
            (int)internalDate.Offset.TotalMinutes,
            now.ToUnixTimeMilliseconds(),
            emailId,
            threadId,
            content.Size);
        ctx.Db.Exec(
            "UPDATE mailboxes SET uidnext = @p1, highest_modseq = @p2, keywords = @p3 WHERE id = @p0",
            mailbox.Id,
            (long)uid + 1,
            (long)modSeq,
            JoinKeywords(mailbox.Keywords.Concat(created)));
        ctx.Db.Exec("UPDATE accounts SET storage_used = storage_used + @p1, messages_used = messages_used + 1 WHERE id = @p0", accountId, content.Size);
        var mailboxId = mailbox.Id;
        ctx.AfterCommit(_ => Feed.Publish(mailboxId, modSeq));
        return new AppendResult(mailbox.UidValidity, uid, content.Size, emailId);
    }

    /// <summary>References content by address: an existing row gains a reference; new content is placed and indexed.</summary>
    internal long AcquireContent(WriteContext ctx, PreparedContent content)
    {
        if (ctx.Db.Long("SELECT id FROM contents WHERE address = @p0", content.Address) is { } existing)
        {
            ctx.Db.Exec("UPDATE contents SET refs = refs + 1 WHERE id = @p0", existing);
            return existing;
        }

        if (content.Inline is null)
        {
            // Durability order: the file is fsynced and renamed (directory fsynced) before this transaction commits.
            if (content.SpoolFile is { } spool && File.Exists(spool))
            {
                Blobs.Place(spool, content.Address);
            }
            else if (!File.Exists(Blobs.PathOf(content.Address)))
            {
                throw new InvalidOperationException("The spooled content is gone.");
            }
        }

        ctx.Db.Exec(
            "INSERT INTO contents (address, size, refs, inline, index_json, sent_date, sent_offset, header_text, thread_references) VALUES (@p0, @p1, 1, @p2, @p3, @p4, @p5, @p6, @p7)",
            content.Address,
            content.Size,
            content.Inline,
            content.IndexJson,
            content.SentDate?.ToUnixTimeMilliseconds(),
            content.SentDate is { } sent ? (int)sent.Offset.TotalMinutes : null,
            content.HeaderText,
            content.ThreadReferencesJson);
        var id = ctx.Db.Long("SELECT last_insert_rowid()")!.Value;
        if (content.AddressText.Length > 0)
        {
            // Small, so written with the content and searched directly (schema version 6).
            ctx.Db.Exec("INSERT INTO content_addresses (content_id, addresses) VALUES (@p0, @p1)", id, content.AddressText);
        }

        // Indexed later, in batches, off the delivery's commit (schema version 4).
        ctx.Db.Exec("INSERT INTO text_pending (content_id, headers, body) VALUES (@p0, @p1, @p2)", id, content.HeaderText, content.BodyText);
        ctx.AfterCommit(_ => _textIndexer?.Notify());
        return id;
    }

    /// <summary>Takes deleted content out of the search text: at once when still pending, from the index in a later batch.</summary>
    private static void ForgetText(DbSession db, long contentId)
    {
        db.Exec("DELETE FROM content_addresses WHERE content_id = @p0", contentId);
        db.Exec("DELETE FROM text_pending WHERE content_id = @p0", contentId);
        db.Exec("INSERT OR IGNORE INTO text_released (content_id) VALUES (@p0)", contentId);
    }

    /// <summary>
    /// Moves up to <paramref name="batch"/> pending texts into the full-text index and removes up to as many released
    /// ones from it, in one write; returns how many rows it handled (fewer than the batch: nothing was left).
    /// </summary>
    internal async Task<int> IndexPendingTextAsync(int batch, CancellationToken cancellationToken)
    {
        var result = await WriteAsync(ctx =>
        {
            var handled = 0;
            if (ctx.Db.Long("SELECT MAX(content_id) FROM (SELECT content_id FROM text_pending ORDER BY content_id LIMIT @p0)", batch) is { } last)
            {
                handled += ctx.Db.Exec("INSERT INTO content_text (rowid, headers, body) SELECT content_id, headers, body FROM text_pending WHERE content_id <= @p0", last);
                ctx.Db.Exec("DELETE FROM text_pending WHERE content_id <= @p0", last);
            }

            if (ctx.Db.Long("SELECT MAX(content_id) FROM (SELECT content_id FROM text_released ORDER BY content_id LIMIT @p0)", batch) is { } released)
            {
                ctx.Db.Exec("DELETE FROM content_text WHERE rowid IN (SELECT content_id FROM text_released WHERE content_id <= @p0)", released);
                handled += ctx.Db.Exec("DELETE FROM text_released WHERE content_id <= @p0", released);
            }

            return StoreResult<int>.Success(handled);
        }, cancellationToken, background: true).ConfigureAwait(false);
        return result.IsSuccess ? result.Value : throw new IOException(result.Error.Message);
    }

    /// <summary>Drops references; content nobody uses any more is deleted, its file after the commit.</summary>
    internal void ReleaseContent(WriteContext ctx, long contentId, int count)
    {
        ctx.Db.Exec("UPDATE contents SET refs = refs - @p1 WHERE id = @p0", contentId, count);
        string? address = null;
        var isFile = false;
        ctx.Db.Query("SELECT address, inline IS NULL FROM contents WHERE id = @p0 AND refs <= 0", r =>
        {
            address = r.GetString(0);
            isFile = r.GetInt64(1) != 0;
        }, contentId);
        if (address is null)
        {
            return;
        }

        ctx.Db.Exec("DELETE FROM contents WHERE id = @p0", contentId);
        ForgetText(ctx.Db, contentId);
        if (isFile)
        {
            var released = address;
            ctx.AfterCommit(db =>
            {
                // Another write may have stored the same content again meanwhile: a later batch of this writer, or
                // another process sharing the store (an admin command removing an account beside the server). The
                // look and the delete hold the write lock, so no writer can find the file, keep it and commit a row
                // for it in between (placing a file happens inside the writer's transaction).
                using var transaction = db.Connection.BeginTransaction();
                db.Transaction = transaction;
                try
                {
                    if (db.Long("SELECT id FROM contents WHERE address = @p0", released) is null)
                    {
                        Blobs.Delete(released);
                    }

                    transaction.Commit();
                }
                finally
                {
                    db.Transaction = null;
                }
            });
        }
    }

    internal void ReleaseMailboxMessages(WriteContext ctx, long mailboxId)
    {
        var groups = ctx.Db.List(
            "SELECT m.content_id, COUNT(*), SUM(c.size), (SELECT account_id FROM mailboxes WHERE id = @p0) FROM messages m JOIN contents c ON c.id = m.content_id WHERE m.mailbox_id = @p0 GROUP BY m.content_id",
            r => (ContentId: r.GetInt64(0), Count: r.GetInt32(1), Size: r.GetInt64(2), Account: r.GetInt64(3)),
            mailboxId);
        ctx.Db.Exec("DELETE FROM messages WHERE mailbox_id = @p0", mailboxId);
        foreach (var group in groups)
        {
            ctx.Db.Exec("UPDATE accounts SET storage_used = storage_used - @p1, messages_used = messages_used - @p2 WHERE id = @p0", group.Account, group.Size, group.Count);
            ReleaseContent(ctx, group.ContentId, group.Count);
        }

        // The mailbox goes away: its views end, so nothing they held stays readable.
        ReleaseRetained(ctx, mailboxId);
    }

    private static string ResolveThread(DbSession db, long accountId, PreparedContent content)
    {
        var thread = ThreadRules.Resolve(
            content.References,
            content.MessageId,
            id => db.Scalar("SELECT thread_id FROM threads WHERE account_id = @p0 AND message_id = @p1", accountId, id) as string);
        if (content.MessageId is { } messageId)
        {
            db.Exec("INSERT OR IGNORE INTO threads (account_id, message_id, thread_id) VALUES (@p0, @p1, @p2)", accountId, messageId, thread);
        }

        return thread;
    }

    private StoreCheckReport Check(DbSession db, int version, bool startup)
    {
        var temps = 0;
        if (startup)
        {
            // No write is in flight while opening: every spool file is a leftover of an interrupted append.
            foreach (var file in Directory.EnumerateFiles(Blobs.TempDirectory))
            {
                File.Delete(file);
                temps++;
            }
        }

        if (startup)
        {
            // Retained rows serve open views, and no view survives a restart (schema version 7).
            db.Exec("DELETE FROM retained");
        }

        const string References = "(SELECT COUNT(*) FROM messages WHERE content_id = contents.id) + (SELECT COUNT(*) FROM retained WHERE content_id = contents.id)";
        var counters = db.Exec($"UPDATE contents SET refs = {References} WHERE refs <> {References}");
        counters += db.Exec("""
            UPDATE accounts SET
                storage_used = (SELECT COALESCE(SUM(c.size), 0) FROM messages m JOIN contents c ON c.id = m.content_id JOIN mailboxes b ON b.id = m.mailbox_id WHERE b.account_id = accounts.id),
                messages_used = (SELECT COUNT(*) FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE b.account_id = accounts.id)
            WHERE storage_used <> (SELECT COALESCE(SUM(c.size), 0) FROM messages m JOIN contents c ON c.id = m.content_id JOIN mailboxes b ON b.id = m.mailbox_id WHERE b.account_id = accounts.id)
               OR messages_used <> (SELECT COUNT(*) FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE b.account_id = accounts.id)
            """);
        // RFC 9051 §2.3.1.1: UIDNEXT must stay above every UID ever given out.
        counters += db.Exec("""
            UPDATE mailboxes SET uidnext = MAX(
                (SELECT COALESCE(MAX(uid), 0) + 1 FROM messages WHERE mailbox_id = mailboxes.id),
                (SELECT COALESCE(MAX(uid), 0) + 1 FROM expunged WHERE mailbox_id = mailboxes.id))
            WHERE uidnext < (SELECT COALESCE(MAX(uid), 0) + 1 FROM messages WHERE mailbox_id = mailboxes.id)
               OR uidnext < (SELECT COALESCE(MAX(uid), 0) + 1 FROM expunged WHERE mailbox_id = mailboxes.id)
            """);
        var unused = db.List("SELECT id FROM contents WHERE refs <= 0", r => r.GetInt64(0));
        foreach (var id in unused)
        {
            ForgetText(db, id);
            db.Exec("DELETE FROM contents WHERE id = @p0", id);
        }

        var known = new HashSet<string>(db.List("SELECT address FROM contents WHERE inline IS NULL", r => r.GetString(0)), StringComparer.Ordinal);
        var orphans = 0;
        foreach (var directory in Directory.EnumerateDirectories(Blobs.Root))
        {
            if (string.Equals(directory, Blobs.TempDirectory, StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(directory))
            {
                if (!known.Contains(Path.GetFileName(file)))
                {
                    File.Delete(file);
                    orphans++;
                }
            }
        }

        var missing = 0;
        foreach (var address in known)
        {
            if (!File.Exists(Blobs.PathOf(address)))
            {
                missing++;
                SqliteMailLog.MissingBlob(_logger, address);
            }
        }

        if (orphans + temps + counters > 0)
        {
            SqliteMailLog.Repaired(_logger, orphans, temps, counters);
        }

        return new StoreCheckReport(version, orphans, temps, missing, counters);
    }
}
