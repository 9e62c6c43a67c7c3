namespace MailHost.Storage.Postgres.Mail;

/// <summary>
/// STORE inside a write (RFC 9051 §6.4.6, RFC 7162 §3.1.3 UNCHANGEDSINCE) on a mailbox row taken <c>FOR UPDATE</c>:
/// the messages that actually change share one new MODSEQ; the others keep theirs.
/// </summary>
internal sealed class FlagStore
{
    private readonly PostgresMailStore _store;
    private readonly PgSession _session;
    private readonly long _mailboxId;
    private readonly Func<uint, bool> _include;

    public FlagStore(PostgresMailStore store, PgSession session, long mailboxId, Func<uint, bool> include)
    {
        _store = store;
        _session = session;
        _mailboxId = mailboxId;
        _include = include;
    }

    private (MailboxRow Before, ulong ModSeq)? _written;
    private UnseenCount? _unseen;

    /// <summary>The write as the view sees it, once <see cref="RunAsync"/> succeeded and its transaction committed.</summary>
    public OwnWrite? Written => _written is { } written ? new OwnWrite(written.Before, written.ModSeq, _unseen) : null;

    public async Task<StoreResult<StoreFlagsResult>> RunAsync(UidSet uids, FlagOperation operation, MessageFlags flags, IReadOnlyList<string> keywords, ulong? unchangedSince, CancellationToken ct)
    {
        var s = _session;

        // The mailbox row, locked, and the messages' rows in one round trip.
        MailboxRow? mailbox = null;
        var candidates = new List<(uint Uid, MessageFlags Flags, IReadOnlyList<string> Keywords, ulong ModSeq)>();
        await s.QueryBatchAsync(
            ct,
            ($"SELECT {MailboxRow.Columns} FROM mailboxes WHERE id = $1 FOR UPDATE", [_mailboxId], r => mailbox = MailboxRow.Read(r)),
            (
                "SELECT uid, flags, keywords, modseq FROM messages WHERE mailbox_id = $1 AND uid >= $2 AND uid <= $3 ORDER BY uid",
                [_mailboxId, (long)(uids.IsEmpty ? 1 : uids.Min), (long)(uids.IsEmpty ? 0 : uids.Max)],
                r => candidates.Add(((uint)r.GetInt64(0), (MessageFlags)r.GetInt32(1), r.GetFieldValue<string[]>(2), (ulong)r.GetInt64(3))))).ConfigureAwait(false);
        if (mailbox is null || mailbox.Noselect)
        {
            return StoreResult<StoreFlagsResult>.Fail(StoreErrorCode.NotFound, "The mailbox no longer exists.");
        }

        var resolved = FlagChange.ResolveKeywords(keywords, mailbox.Keywords, _store.Limits.MaxKeywordsPerMailbox, out var created);
        if (!resolved.IsSuccess)
        {
            return StoreResult<StoreFlagsResult>.Fail(resolved.Error);
        }

        var rows = candidates.Where(r => uids.Contains(r.Uid) && _include(r.Uid)).ToList();
        var states = new List<MessageFlagState>(rows.Count);
        var modified = new List<uint>();
        var modSeq = mailbox.HighestModSeq;
        var bumped = false;
        var seenChanged = false;

        // The row updates, the mailbox's and the notification go out together in one round trip.
        var writes = new List<(string Sql, object?[] Parameters)>();
        foreach (var row in rows)
        {
            // RFC 7162 §3.1.3: UNCHANGEDSINCE leaves messages changed after it alone and reports them.
            if (unchangedSince is { } since && row.ModSeq > since)
            {
                modified.Add(row.Uid);
                continue;
            }

            var (newFlags, newKeywords) = FlagChange.Apply(operation, row.Flags, row.Keywords, flags, resolved.Value);
            if (newFlags == row.Flags && FlagChange.SameKeywords(newKeywords, row.Keywords))
            {
                states.Add(new MessageFlagState(row.Uid, row.Flags, row.Keywords, row.ModSeq, false));
                continue;
            }

            if (!bumped)
            {
                modSeq++;
                bumped = true;
            }

            seenChanged |= (newFlags & MessageFlags.Seen) != (row.Flags & MessageFlags.Seen);
            writes.Add(("UPDATE messages SET flags = $3, keywords = $4, modseq = $5 WHERE mailbox_id = $1 AND uid = $2", [_mailboxId, (long)row.Uid, (int)newFlags, newKeywords.ToArray(), (long)modSeq]));
            states.Add(new MessageFlagState(row.Uid, newFlags, newKeywords, modSeq, true));
        }

        if (bumped || created.Count > 0)
        {
            writes.Add(("UPDATE mailboxes SET highest_modseq = $2, keywords = $3 WHERE id = $1", [_mailboxId, (long)modSeq, mailbox.Keywords.Concat(created).ToArray()]));
        }

        if (bumped)
        {
            writes.Add(_store.Announcement(s, _mailboxId, modSeq));
        }

        // The writes travel with the commit. A changed \Seen changes what the view reports as unseen: read after the
        // updates, in the same round trip.
        if (seenChanged)
        {
            writes.Add((UnseenCount.Sql, [_mailboxId]));
            s.Defer(writes, new Dictionary<string, Action<Npgsql.NpgsqlDataReader>> { [UnseenCount.FirstColumn] = r => _unseen = UnseenCount.Read(r) });
        }
        else if (writes.Count > 0)
        {
            s.Defer(writes);
        }

        // New keywords change the mailbox's FLAGS (RFC 9051 §7.3.5): the next poll reports them.
        _written = created.Count > 0 ? null : (mailbox, modSeq);

        return StoreResult<StoreFlagsResult>.Success(new StoreFlagsResult(states, modified, modSeq));
    }
}
