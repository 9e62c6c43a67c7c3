namespace MailHost.Storage.Sqlite.Mail;

/// <summary>COPY and MOVE, and the expunges they and EXPUNGE make, inside the store's write.</summary>
internal sealed partial class SqliteMailboxView
{
    /// <summary>
    /// Copies or moves messages inside a write (COPY, MOVE, RENAME INBOX). <paramref name="target"/> may be
    /// <paramref name="source"/> (RFC 6851 §3.3): the copies get new UIDs and MODSEQs there, then the originals are
    /// expunged with a MODSEQ of their own. A moved row that another open view may still show stays readable
    /// (<see cref="SqliteMailStore.RetireMessages"/>); <paramref name="mover"/> is the view that moves, if any.
    /// </summary>
    internal static StoreResult<CopyResult> TransferMessages(SqliteMailStore store, WriteContext ctx, MailboxRow source, MailboxRow target, UidSet uids, bool move, bool checkQuota, Func<uint, bool>? include = null, IOpenMailboxView? mover = null)
    {
        var rows = ctx.Db.List(
            "SELECT m.uid, m.content_id, m.flags, m.keywords, m.internal_date, m.internal_offset, m.email_id, m.thread_id, m.size FROM messages m WHERE m.mailbox_id = @p0 ORDER BY m.uid",
            r => (Uid: (uint)r.GetInt64(0), ContentId: r.GetInt64(1), Flags: r.GetInt32(2), Keywords: r.GetString(3), InternalDate: r.GetInt64(4), Offset: r.GetInt32(5), EmailId: r.GetString(6), ThreadId: r.GetString(7), Size: r.GetInt64(8)),
            source.Id).Where(r => uids.Contains(r.Uid) && (include is null || include(r.Uid))).ToList();
        var keywords = FlagChange.ResolveKeywords(
            rows.SelectMany(r => SqliteMailStore.SplitKeywords(r.Keywords)).Distinct(StringComparer.OrdinalIgnoreCase).ToList(),
            target.Keywords,
            store.Limits.MaxKeywordsPerMailbox,
            out var created);
        if (!keywords.IsSuccess)
        {
            return StoreResult<CopyResult>.Fail(keywords.Error);
        }

        var bytes = rows.Sum(r => r.Size);
        if (!move && checkQuota && store.CheckQuota(ctx.Db, target.AccountId, bytes, rows.Count) is { } quotaError)
        {
            return StoreResult<CopyResult>.Fail(quotaError);
        }

        if (target.UidNext + (ulong)rows.Count >= uint.MaxValue)
        {
            return StoreResult<CopyResult>.Fail(StoreErrorCode.LimitExceeded, "The mailbox has used up its UIDs.");
        }

        var now = store.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var uid = target.UidNext;
        var modSeq = target.HighestModSeq;
        var sourceUids = new List<uint>(rows.Count);
        var targetUids = new List<uint>(rows.Count);
        foreach (var row in rows)
        {
            modSeq++;
            // RFC 8474 §5.1: a copy or move keeps the EMAILID and THREADID.
            ctx.Db.Exec(
                "INSERT INTO messages (mailbox_id, uid, content_id, flags, keywords, modseq, internal_date, internal_offset, save_date, email_id, thread_id, size) VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11)",
                target.Id,
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
                row.Size);
            if (!move)
            {
                ctx.Db.Exec("UPDATE contents SET refs = refs + 1 WHERE id = @p0", row.ContentId);
            }

            sourceUids.Add(row.Uid);
            targetUids.Add(uid);
            uid++;
        }

        ctx.Db.Exec(
            "UPDATE mailboxes SET uidnext = @p1, highest_modseq = @p2, keywords = @p3 WHERE id = @p0",
            target.Id,
            (long)uid,
            (long)modSeq,
            SqliteMailStore.JoinKeywords(target.Keywords.Concat(created)));
        if (!move)
        {
            ctx.Db.Exec("UPDATE accounts SET storage_used = storage_used + @p1, messages_used = messages_used + @p2 WHERE id = @p0", target.AccountId, bytes, rows.Count);
        }
        else if (rows.Count > 0)
        {
            // Within one mailbox the expunge comes after the copies, which already raised its HIGHESTMODSEQ.
            var sourceModSeq = (source.Id == target.Id ? modSeq : source.HighestModSeq) + 1;
            store.RetireMessages(ctx, source.Id, [.. rows.Select(r => (r.Uid, r.ContentId))], sourceModSeq, mover, moved: true);
            ctx.Db.Exec("UPDATE mailboxes SET highest_modseq = @p1 WHERE id = @p0", source.Id, (long)sourceModSeq);
            var sourceId = source.Id;
            ctx.AfterCommit(_ => store.Feed.Publish(sourceId, sourceModSeq));
        }

        if (rows.Count > 0)
        {
            var targetId = target.Id;
            var published = modSeq;
            ctx.AfterCommit(_ => store.Feed.Publish(targetId, published));
        }

        return StoreResult<CopyResult>.Success(new CopyResult(target.UidValidity, sourceUids, targetUids));
    }

    /// <summary>
    /// Expunges messages: rows removed (kept readable for the other open views, see
    /// <see cref="SqliteMailStore.RetireMessages"/>), UIDs remembered with one new MODSEQ, usage lowered.
    /// </summary>
    internal static ulong RemoveMessages(SqliteMailStore store, WriteContext ctx, MailboxRow mailbox, List<(uint Uid, long ContentId)> victims, IOpenMailboxView? expunger)
    {
        if (victims.Count == 0)
        {
            return mailbox.HighestModSeq;
        }

        var modSeq = mailbox.HighestModSeq + 1;
        foreach (var (_, contentId) in victims)
        {
            var size = ctx.Db.Long("SELECT size FROM contents WHERE id = @p0", contentId) ?? 0;
            ctx.Db.Exec("UPDATE accounts SET storage_used = storage_used - @p1, messages_used = messages_used - 1 WHERE id = @p0", mailbox.AccountId, size);
        }

        store.RetireMessages(ctx, mailbox.Id, victims, modSeq, expunger, moved: false);

        ctx.Db.Exec("UPDATE mailboxes SET highest_modseq = @p1 WHERE id = @p0", mailbox.Id, (long)modSeq);
        var id = mailbox.Id;
        ctx.AfterCommit(_ => store.Feed.Publish(id, modSeq));
        return modSeq;
    }

    private async ValueTask<StoreResult<CopyResult>> TransferAsync(UidSet uids, string destination, bool move, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uids);
        var name = MailboxName.Normalize(destination, _store.Limits);
        if (!name.IsSuccess)
        {
            return StoreResult<CopyResult>.Fail(name.Error);
        }

        ulong ownModSeq = 0;
        var result = await _store.WriteAsync(ctx =>
        {
            var source = SqliteMailStore.FindMailbox(ctx.Db, _mailboxId);
            if (source is null || source.Noselect)
            {
                return StoreResult<CopyResult>.Fail(StoreErrorCode.NotFound, "The mailbox no longer exists.");
            }

            var target = SqliteMailStore.FindMailbox(ctx.Db, _accountId, name.Value);
            if (target is null || target.Noselect)
            {
                return StoreResult<CopyResult>.Fail(StoreErrorCode.NotFound, "No such mailbox.");
            }

            var transferred = TransferMessages(_store, ctx, source, target, uids, move, checkQuota: true, IsKnown, this);
            ownModSeq = move ? (ulong)(ctx.Db.Long("SELECT highest_modseq FROM mailboxes WHERE id = @p0", source.Id) ?? 0) : 0;
            return transferred;
        }, cancellationToken).ConfigureAwait(false);
        if (result.IsSuccess && move)
        {
            Forget(result.Value.SourceUids, ownModSeq);
        }

        return result;
    }
}
