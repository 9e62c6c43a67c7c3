using MailHost.Storage.Common;

namespace MailHost.Storage.Postgres.Mail;

/// <summary>
/// The row work every write shares: accounts, mailboxes, messages and their content references, quota and threads.
/// Lock order, everywhere: the account row, then mailbox rows in id order, then contents rows.
/// </summary>
public sealed partial class PostgresMailStore
{
    // An account's usage and limits, from the accounts row aliased "a".
    private const string QuotaColumns = "a.storage_used, a.messages_used, a.quota_set, a.quota_storage, a.quota_messages";

    private const string ChangeUsageSql = "UPDATE accounts SET storage_used = storage_used + $2, messages_used = messages_used + $3 WHERE id = $1";

    private const string InsertMessageSql =
        "INSERT INTO messages (mailbox_id, uid, content_id, flags, keywords, modseq, internal_date, internal_offset, save_date, email_id, thread_id, size) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

    /// <summary>The account's id, creating it with its default mailboxes (RFC 6154), all subscribed, when it is new.</summary>
    internal async Task<long> EnsureAccountAsync(PgSession s, string accountName, CancellationToken ct)
    {
        // Almost always there already: one read. Otherwise ON CONFLICT waits for a concurrent creation of the same
        // name to commit, then finds its row.
        if (await s.LongAsync("SELECT id FROM accounts WHERE name = $1", ct, accountName).ConfigureAwait(false) is { } existing)
        {
            return existing;
        }

        if (await s.LongAsync("INSERT INTO accounts (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING id", ct, accountName).ConfigureAwait(false) is not { } created)
        {
            return (await s.LongAsync("SELECT id FROM accounts WHERE name = $1", ct, accountName).ConfigureAwait(false))!.Value;
        }

        foreach (var (name, specialUse) in DefaultMailboxes.All)
        {
            await CreateMailboxRowAsync(s, created, name, specialUse, noselect: false, ct).ConfigureAwait(false);
            await s.ExecAsync("INSERT INTO subscriptions (account_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING", ct, created, name).ConfigureAwait(false);
        }

        return created;
    }

    /// <summary>Locks the account row for the rest of the transaction; <see langword="false"/> once the account is gone.</summary>
    internal static async Task<bool> LockAccountAsync(PgSession s, long accountId, CancellationToken ct) =>
        await s.LongAsync("SELECT id FROM accounts WHERE id = $1 FOR UPDATE", ct, accountId).ConfigureAwait(false) is not null;

    /// <summary>Creates a mailbox with a fresh UIDVALIDITY, above every one the account gave out (RFC 9051 §2.3.1.1).</summary>
    internal async Task<long> CreateMailboxRowAsync(PgSession s, long accountId, string name, MailboxAttributes specialUse, bool noselect, CancellationToken ct)
    {
        var last = (uint)(await s.LongAsync("SELECT last_uidvalidity FROM accounts WHERE id = $1", ct, accountId).ConfigureAwait(false) ?? 0);
        var uidValidity = DefaultMailboxes.NextUidValidity(last, Time.GetUtcNow());
        await s.ExecAsync("UPDATE accounts SET last_uidvalidity = $2 WHERE id = $1", ct, accountId, (long)uidValidity).ConfigureAwait(false);
        return (await s.LongAsync(
            "INSERT INTO mailboxes (account_id, name, uidvalidity, special_use, noselect) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            ct,
            accountId,
            name,
            (long)uidValidity,
            (int)specialUse,
            noselect).ConfigureAwait(false))!.Value;
    }

    internal static Task<MailboxRow?> FindMailboxAsync(PgSession s, long accountId, string name, CancellationToken ct, bool forUpdate = false) =>
        s.FirstAsync($"SELECT {MailboxRow.Columns} FROM mailboxes WHERE account_id = $1 AND name = $2{(forUpdate ? " FOR UPDATE" : string.Empty)}", MailboxRow.Read, ct, accountId, name);

    internal static Task<MailboxRow?> FindMailboxAsync(PgSession s, long mailboxId, CancellationToken ct, bool forUpdate = false) =>
        s.FirstAsync($"SELECT {MailboxRow.Columns} FROM mailboxes WHERE id = $1{(forUpdate ? " FOR UPDATE" : string.Empty)}", MailboxRow.Read, ct, mailboxId);

    internal async Task<QuotaUsage> ReadQuotaAsync(PgSession s, long accountId, CancellationToken ct) =>
        await FindQuotaAsync(s, accountId, ct).ConfigureAwait(false) ?? QuotaRules.Usage(0, 0, null, _options.DefaultQuota);

    /// <summary>The account's quota usage, or <see langword="null"/> when the account is gone; one statement.</summary>
    internal Task<QuotaUsage?> FindQuotaAsync(PgSession s, long accountId, CancellationToken ct) =>
        s.FirstAsync($"SELECT {QuotaColumns} FROM accounts a WHERE a.id = $1", r => ReadQuota(r, 0), ct, accountId);

    /// <summary>Reads <see cref="QuotaColumns"/> from <paramref name="first"/> on.</summary>
    private QuotaUsage ReadQuota(Npgsql.NpgsqlDataReader r, int first) => QuotaRules.Usage(
        r.GetInt64(first),
        r.GetInt64(first + 1),
        r.GetBoolean(first + 2) ? new QuotaLimits(r.IsDBNull(first + 3) ? null : r.GetInt64(first + 3), r.IsDBNull(first + 4) ? null : r.GetInt64(first + 4)) : null,
        _options.DefaultQuota);

    internal static Task ChangeUsageAsync(PgSession s, long accountId, long bytes, long messages, CancellationToken ct) =>
        s.ExecAsync(ChangeUsageSql, ct, accountId, bytes, messages);

    /// <summary>The statement of <see cref="ChangeUsageAsync"/>, for a caller that sends it in a batch with its other writes.</summary>
    internal static (string Sql, object?[] Parameters) ChangeUsage(long accountId, long bytes, long messages) => (ChangeUsageSql, [accountId, bytes, messages]);

    /// <summary>Announces a mailbox's new HIGHESTMODSEQ: NOTIFY at commit for the other hosts, the local feed right after it.</summary>
    internal Task AnnounceAsync(PgSession s, long mailboxId, ulong modSeq, CancellationToken ct)
    {
        var (sql, parameters) = Announcement(s, mailboxId, modSeq);
        return s.ExecAsync(sql, ct, parameters);
    }

    /// <summary>The statement of <see cref="AnnounceAsync"/>, for a caller that sends it in a batch with its other writes.</summary>
    internal (string Sql, object?[] Parameters) Announcement(PgSession s, long mailboxId, ulong modSeq)
    {
        s.AfterCommit(() => Feed.Publish(mailboxId, modSeq));
        return PostgresChangeFeed.Notification(mailboxId, modSeq);
    }

    /// <summary>
    /// Stores one message; the caller holds the account row, or has it locked here first with
    /// <paramref name="accountGone"/> as the failure when it is missing. The mailbox row is taken <c>FOR UPDATE</c>
    /// before its UIDNEXT is read, so the UID and MODSEQ given out here are above every committed one. The locks, the
    /// content reference and the thread lookup go in one round trip, the writes with the commit; a refusal gives the
    /// content reference back, so it writes nothing that lasts even when the caller's transaction commits (a
    /// delivery with other targets).
    /// </summary>
    internal async Task<StoreResult<AppendResult>> InsertMessageAsync(PgSession s, long accountId, string mailboxName, PreparedContent content, AppendOptions options, CancellationToken ct, StoreError? accountGone = null)
    {
        var name = MailboxName.Normalize(mailboxName, Limits);
        if (!name.IsSuccess)
        {
            return StoreResult<AppendResult>.Fail(name.Error);
        }

        var account = accountGone is null;
        (MailboxRow Row, QuotaUsage Quota)? found = null;
        (long Id, bool Inserted)? acquired = null;
        var lookups = ThreadRules.Lookups(content.References, content.MessageId);
        var known = new Dictionary<string, string>(StringComparer.Ordinal);
        var queries = new List<(string Sql, object?[] Parameters, Action<Npgsql.NpgsqlDataReader> Row)>(4);
        if (!account)
        {
            queries.Add(("SELECT id FROM accounts WHERE id = $1 FOR UPDATE", [accountId], _ => account = true));
        }

        queries.Add((
            $"SELECT {MailboxRow.JoinedColumns}, {QuotaColumns} FROM mailboxes mb JOIN accounts a ON a.id = mb.account_id WHERE mb.account_id = $1 AND mb.name = $2 FOR UPDATE OF mb",
            [accountId, name.Value],
            r => found = (MailboxRow.Read(r), ReadQuota(r, MailboxRow.ColumnCount))));
        queries.Add((AcquireContentSql, AcquireContentParameters(content), r => acquired = (r.GetInt64(0), r.GetBoolean(1))));
        if (lookups.Count > 0)
        {
            queries.Add(("SELECT message_id, thread_id FROM threads WHERE account_id = $1 AND message_id = ANY($2)", [accountId, lookups.ToArray()], r => known[r.GetString(0)] = r.GetString(1)));
        }

        await s.QueryBatchAsync(ct, [.. queries]).ConfigureAwait(false);
        var (contentId, inserted) = acquired!.Value;
        var refusal = !account ? accountGone
            : found is not { Row.Noselect: false } ? new StoreError(StoreErrorCode.NotFound, "No such mailbox.")
            : null;
        var keywords = StoreResult<IReadOnlyList<string>>.Success([]);
        IReadOnlyList<string> created = [];
        if (refusal is null)
        {
            keywords = FlagChange.ResolveKeywords(options.Keywords, found!.Value.Row.Keywords, Limits.MaxKeywordsPerMailbox, out created);
            refusal = !keywords.IsSuccess ? keywords.Error
                : QuotaRules.CheckAdd(found.Value.Quota, content.Size, 1) is { } quotaError ? quotaError
                : found.Value.Row.UidNext == uint.MaxValue ? new StoreError(StoreErrorCode.LimitExceeded, "The mailbox has used up its UIDs.")
                : null;
        }

        if (refusal is not null)
        {
            await ReleaseContentAsync(s, contentId, 1, ct).ConfigureAwait(false);
            return StoreResult<AppendResult>.Fail(refusal);
        }

        if (inserted && !s.StoredContent.Contains(content.Address))
        {
            // The bytes were there already when UploadAsync ran, and so was no contents row: they may belong to a
            // content whose last reference went away since. Written again unless still there.
            await UploadAsync(s, content, ct).ConfigureAwait(false);
        }

        var mailbox = found!.Value.Row;
        var threadId = ThreadRules.Resolve(content.References, content.MessageId, id => known.GetValueOrDefault(id));
        var now = Time.GetUtcNow();
        var internalDate = options.InternalDate ?? now;
        var uid = mailbox.UidNext;
        var modSeq = mailbox.HighestModSeq + 1;
        var emailId = MailObjectIds.NewEmailId();
        var messageKeywords = new SortedSet<string>(keywords.Value, StringComparer.OrdinalIgnoreCase).ToArray();

        // What is left only writes: one round trip.
        var statements = new List<(string Sql, object?[] Parameters)>(5);
        if (content.MessageId is { } own)
        {
            statements.Add(("INSERT INTO threads (account_id, message_id, thread_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", [accountId, own, threadId]));
        }

        statements.Add((InsertMessageSql,
        [
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
            content.Size,
        ]));
        statements.Add(("UPDATE mailboxes SET uidnext = $2, highest_modseq = $3, keywords = $4 WHERE id = $1", [mailbox.Id, (long)uid + 1, (long)modSeq, mailbox.Keywords.Concat(created).ToArray()]));
        statements.Add((ChangeUsageSql, [accountId, content.Size, 1L]));
        statements.Add(Announcement(s, mailbox.Id, modSeq));

        // Nothing reads these back in this transaction: they travel with the commit (or the next target's statements).
        s.Defer(statements);
        return new AppendResult(mailbox.UidValidity, uid, content.Size, emailId);
    }

    /// <summary>
    /// References content by address: returns its id and whether this statement inserted the row. The first writer
    /// of an address inserts its row; a concurrent writer of the same address waits on the unique index and then only
    /// adds its reference.
    /// </summary>
    private const string AcquireContentSql =
        """
        INSERT INTO contents (address, size, refs, index_json, thread_references, sent_date, sent_offset, search_headers, search_body, address_text)
        VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8, $9)
        ON CONFLICT (address) DO UPDATE SET refs = contents.refs + 1
        RETURNING id, xmax = 0
        """;

    private static object?[] AcquireContentParameters(PreparedContent content) =>
    [
        content.Address,
        content.Size,
        content.IndexJson,
        content.ThreadReferencesJson,
        content.SentDate?.ToUnixTimeMilliseconds(),
        content.SentDate is { } sent ? (int)sent.Offset.TotalMinutes : null,
        content.SearchHeaders,
        content.SearchBody,
        content.AddressText,
    ];

    /// <summary>
    /// Streams the content's bytes in before the write takes any account or mailbox lock, so that a large message
    /// does not hold up the other writes of its mailbox while it travels; it is committed, or rolled back, with the
    /// message rows. A small message's bytes go into this host's <see cref="ContentCache"/> at the commit: the new
    /// mail is what clients fetch next.
    /// </summary>
    internal async Task UploadAsync(PgSession s, PreparedContent content, CancellationToken ct)
    {
        var bytes = content.Spool.OpenRead();
        await using (bytes.ConfigureAwait(false))
        {
            if (await Blobs.WriteAsync(s, content.Address, bytes, content.Size, ct).ConfigureAwait(false))
            {
                s.StoredContent.Add(content.Address);
            }
        }

        if (content.Spool.Inline is { } inline && inline.Length == content.Size)
        {
            s.AfterCommit(() => ContentCache.Add(content.Address, inline));
        }
    }

    /// <summary>
    /// Drops <paramref name="count"/> references to one content; content nobody uses any more goes with its bytes, in
    /// the same transaction (<see cref="ContentRelease"/>, which also makes a later write of the same bytes in this
    /// transaction upload them again).
    /// </summary>
    internal async Task ReleaseContentAsync(PgSession s, long contentId, int count, CancellationToken ct)
    {
        var release = new ContentRelease();
        await s.BatchAsync(
            [ContentRelease.Statement(Enumerable.Repeat(contentId, count))],
            new Dictionary<string, Action<Npgsql.NpgsqlDataReader>> { [ContentRelease.FirstColumn] = release.Read },
            ct).ConfigureAwait(false);
        await release.DeleteUnreferencedAsync(this, s, ct).ConfigureAwait(false);
    }

    /// <summary>Removes a mailbox whose row the caller holds: its messages, retained rows and expunge records; its views see it gone.</summary>
    internal async Task RemoveMailboxAsync(PgSession s, long mailboxId, CancellationToken ct)
    {
        var groups = await s.ListAsync(
            "SELECT m.content_id, COUNT(*)::int, SUM(m.size)::bigint, b.account_id FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE m.mailbox_id = $1 GROUP BY m.content_id, b.account_id",
            r => new Tuple<long, int, long, long>(r.GetInt64(0), r.GetInt32(1), r.GetInt64(2), r.GetInt64(3)),
            ct,
            mailboxId).ConfigureAwait(false);
        await s.ExecAsync("DELETE FROM messages WHERE mailbox_id = $1", ct, mailboxId).ConfigureAwait(false);
        foreach (var (contentId, count, size, accountId) in groups)
        {
            await ChangeUsageAsync(s, accountId, -size, -count, ct).ConfigureAwait(false);
            await ReleaseContentAsync(s, contentId, count, ct).ConfigureAwait(false);
        }

        // The mailbox goes away: the views of every host end, so nothing they held stays readable.
        var retained = await s.ListAsync(
            "DELETE FROM retained WHERE mailbox_id = $1 RETURNING content_id",
            r => r.GetInt64(0),
            ct,
            mailboxId).ConfigureAwait(false);
        foreach (var contentId in retained)
        {
            await ReleaseContentAsync(s, contentId, 1, ct).ConfigureAwait(false);
        }

        await s.ExecAsync("DELETE FROM expunged WHERE mailbox_id = $1", ct, mailboxId).ConfigureAwait(false);
        await s.ExecAsync("DELETE FROM mailboxes WHERE id = $1", ct, mailboxId).ConfigureAwait(false);
        await AnnounceAsync(s, mailboxId, ulong.MaxValue, ct).ConfigureAwait(false);
    }
}
