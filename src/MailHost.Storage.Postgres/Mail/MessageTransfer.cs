using MailHost.Storage.Common;

namespace MailHost.Storage.Postgres.Mail;

/// <summary>
/// COPY and MOVE inside a write (RFC 4315 COPYUID, RFC 6851), and RENAME of INBOX (RFC 9051 §6.3.6), between two
/// mailbox rows the transaction holds <c>FOR UPDATE</c>. The target may be the source (RFC 6851 §3.3): the copies
/// get new UIDs and MODSEQs there, then the originals are expunged with a MODSEQ of their own.
/// </summary>
internal sealed class MessageTransfer
{
    private const string Columns = "uid, content_id, flags, keywords, internal_date, internal_offset, email_id, thread_id, size";

    private readonly PostgresMailStore _store;
    private readonly PgSession _session;
    private readonly MailboxRow _source;
    private readonly MailboxRow _target;

    public MessageTransfer(PostgresMailStore store, PgSession session, MailboxRow source, MailboxRow target)
    {
        _store = store;
        _session = session;
        _source = source;
        _target = target;
    }

    /// <summary>Which source UIDs the caller may act on (a view: those of its snapshot).</summary>
    public Func<uint, bool>? Include { get; init; }

    /// <summary>The view that moves, if any: it does not need the moved rows kept readable.</summary>
    public IOpenMailboxView? Mover { get; init; }

    /// <summary>Locks two mailbox rows in id order (the store's lock order); either is <see langword="null"/> when gone.</summary>
    public static async Task<(MailboxRow? Source, MailboxRow? Target)> LockPairAsync(PgSession s, long sourceId, long targetId, CancellationToken ct)
    {
        var rows = await s.ListAsync($"SELECT {MailboxRow.Columns} FROM mailboxes WHERE id = ANY($1) ORDER BY id FOR UPDATE", MailboxRow.Read, ct, new[] { sourceId, targetId }).ConfigureAwait(false);
        return (rows.Find(r => r.Id == sourceId), rows.Find(r => r.Id == targetId));
    }

    /// <summary>
    /// Expunges <paramref name="victims"/> from <paramref name="mailbox"/>, whose row (and account row) the caller
    /// holds: usage, the rows, their expunge records, HIGHESTMODSEQ and the announcement go in one round trip with the
    /// content releases, and the contents left without references in one more. With <paramref name="readUnseen"/>, the
    /// mailbox's unseen messages after the expunge are read in the same round trip.
    /// </summary>
    public static async Task<(ulong ModSeq, UnseenCount? Unseen)> RemoveAsync(PostgresMailStore store, PgSession s, MailboxRow mailbox, IReadOnlyList<(uint Uid, long ContentId, long Size)> victims, IOpenMailboxView? expunger, bool readUnseen, CancellationToken ct)
    {
        if (victims.Count == 0)
        {
            return (mailbox.HighestModSeq, null);
        }

        var modSeq = mailbox.HighestModSeq + 1;
        var statements = new List<(string Sql, object?[] Parameters)> { PostgresMailStore.ChangeUsage(mailbox.AccountId, -victims.Sum(v => v.Size), -victims.Count) };
        statements.AddRange(store.Retained.RetireStatements(s, mailbox.Id, [.. victims.Select(v => (v.Uid, v.ContentId))], expunger, moved: false, modSeq, out var release));
        statements.Add(("UPDATE mailboxes SET highest_modseq = $2 WHERE id = $1", [mailbox.Id, (long)modSeq]));
        statements.Add(store.Announcement(s, mailbox.Id, modSeq));
        var released = new ContentRelease();
        var readers = new Dictionary<string, Action<Npgsql.NpgsqlDataReader>>();
        if (release.Count > 0)
        {
            statements.Add(ContentRelease.Statement(release));
            readers[ContentRelease.FirstColumn] = released.Read;
        }

        UnseenCount? unseen = null;
        if (readUnseen)
        {
            statements.Add((UnseenCount.Sql, [mailbox.Id]));
            readers[UnseenCount.FirstColumn] = r => unseen = UnseenCount.Read(r);
        }

        await s.BatchAsync(statements, readers, ct).ConfigureAwait(false);
        await released.DeleteUnreferencedAsync(store, s, ct).ConfigureAwait(false);
        return (modSeq, unseen);
    }

    /// <summary>Copies (or moves) the source messages among <paramref name="uids"/>; checks come first, so a refusal writes nothing.</summary>
    public async Task<StoreResult<CopyResult>> RunAsync(UidSet uids, bool move, bool checkQuota, CancellationToken ct)
    {
        var s = _session;
        var rows = uids.IsEmpty ? [] : (await s.ListAsync(
            $"SELECT {Columns} FROM messages WHERE mailbox_id = $1 AND uid >= $2 AND uid <= $3 ORDER BY uid",
            r => new Row((uint)r.GetInt64(0), r.GetInt64(1), r.GetInt32(2), r.GetFieldValue<string[]>(3), r.GetInt64(4), r.GetInt32(5), r.GetString(6), r.GetString(7), r.GetInt64(8)),
            ct,
            _source.Id,
            (long)uids.Min,
            (long)uids.Max).ConfigureAwait(false)).Where(r => uids.Contains(r.Uid) && (Include is null || Include(r.Uid))).ToList();
        var keywords = FlagChange.ResolveKeywords(
            rows.SelectMany(r => r.Keywords).Distinct(StringComparer.OrdinalIgnoreCase).ToList(),
            _target.Keywords,
            _store.Limits.MaxKeywordsPerMailbox,
            out var created);
        if (!keywords.IsSuccess)
        {
            return StoreResult<CopyResult>.Fail(keywords.Error);
        }

        var bytes = rows.Sum(r => r.Size);
        if (!move && checkQuota && QuotaRules.CheckAdd(await _store.ReadQuotaAsync(s, _target.AccountId, ct).ConfigureAwait(false), bytes, rows.Count) is { } quotaError)
        {
            return StoreResult<CopyResult>.Fail(quotaError);
        }

        if (_target.UidNext + (ulong)rows.Count >= uint.MaxValue)
        {
            return StoreResult<CopyResult>.Fail(StoreErrorCode.LimitExceeded, "The mailbox has used up its UIDs.");
        }

        var (sourceUids, targetUids, modSeq) = await InsertCopiesAsync(rows, move, ct).ConfigureAwait(false);
        await s.ExecAsync(
            "UPDATE mailboxes SET uidnext = $2, highest_modseq = $3, keywords = $4 WHERE id = $1",
            ct,
            _target.Id,
            _target.UidNext + rows.Count,
            (long)modSeq,
            _target.Keywords.Concat(created).ToArray()).ConfigureAwait(false);
        if (!move)
        {
            await PostgresMailStore.ChangeUsageAsync(s, _target.AccountId, bytes, rows.Count, ct).ConfigureAwait(false);
        }
        else if (rows.Count > 0)
        {
            // Within one mailbox the expunge comes after the copies, which already raised its HIGHESTMODSEQ.
            var sourceModSeq = (_source.Id == _target.Id ? modSeq : _source.HighestModSeq) + 1;
            await _store.Retained.RetireAsync(s, _source.Id, [.. rows.Select(r => (r.Uid, r.ContentId))], sourceModSeq, Mover, moved: true, ct).ConfigureAwait(false);
            await s.ExecAsync("UPDATE mailboxes SET highest_modseq = $2 WHERE id = $1", ct, _source.Id, (long)sourceModSeq).ConfigureAwait(false);
            await _store.AnnounceAsync(s, _source.Id, sourceModSeq, ct).ConfigureAwait(false);
        }

        if (rows.Count > 0)
        {
            await _store.AnnounceAsync(s, _target.Id, modSeq, ct).ConfigureAwait(false);
        }

        return StoreResult<CopyResult>.Success(new CopyResult(_target.UidValidity, sourceUids, targetUids));
    }

    private async Task<(List<uint> Source, List<uint> Target, ulong ModSeq)> InsertCopiesAsync(List<Row> rows, bool move, CancellationToken ct)
    {
        var now = _store.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var uid = _target.UidNext;
        var modSeq = _target.HighestModSeq;
        var sourceUids = new List<uint>(rows.Count);
        var targetUids = new List<uint>(rows.Count);
        foreach (var row in rows)
        {
            modSeq++;

            // RFC 8474 §5.1: a copy or move keeps the EMAILID and THREADID.
            await _session.ExecAsync(
                "INSERT INTO messages (mailbox_id, uid, content_id, flags, keywords, modseq, internal_date, internal_offset, save_date, email_id, thread_id, size) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                ct,
                _target.Id,
                (long)uid,
                row.ContentId,
                row.Flags,
                row.Keywords,
                (long)modSeq,
                row.InternalDate,
                row.Offset,
                now,
                row.EmailId,
                row.ThreadId,
                row.Size).ConfigureAwait(false);
            if (!move)
            {
                await _session.ExecAsync("UPDATE contents SET refs = refs + 1 WHERE id = $1", ct, row.ContentId).ConfigureAwait(false);
            }

            sourceUids.Add(row.Uid);
            targetUids.Add(uid);
            uid++;
        }

        return (sourceUids, targetUids, modSeq);
    }

    private sealed record Row(uint Uid, long ContentId, int Flags, string[] Keywords, long InternalDate, int Offset, string EmailId, string ThreadId, long Size);
}
