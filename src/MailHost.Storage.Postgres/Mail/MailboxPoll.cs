namespace MailHost.Storage.Postgres.Mail;

/// <summary>
/// One poll of a view (NOOP, IDLE wake-up, after each command) in one read transaction: the expunges, appends and flag
/// changes since the view's MODSEQ, in MODSEQ order, and the view's next state. Every change to a mailbox's messages
/// raises its HIGHESTMODSEQ in the same transaction, so an unchanged row means nothing happened, whichever host wrote.
/// </summary>
internal sealed class MailboxPoll
{
    private readonly PostgresMailStore _store;
    private readonly long _mailboxId;
    private readonly bool _readOnly;

    public MailboxPoll(PostgresMailStore store, long mailboxId, bool readOnly)
    {
        _store = store;
        _mailboxId = mailboxId;
        _readOnly = readOnly;
    }

    /// <summary>The view's next state, once <see cref="RunAsync"/> succeeded.</summary>
    public State? Next { get; private set; }

    /// <summary>Whether the view let go of expunged messages (the store may release what it kept for them).</summary>
    public bool Dropped { get; private set; }

    public static async Task<MailboxSnapshot> SnapshotAsync(PgSession s, MailboxRow mailbox, uint[] known, ulong knownModSeq, MailStoreLimits limits, bool readOnly, CancellationToken ct)
    {
        var (unseen, firstUnseen) = (await s.FirstAsync(
            "SELECT COUNT(*)::int, MIN(uid) FROM messages WHERE mailbox_id = $1 AND flags & 1 = 0",
            r => new Tuple<int, uint>(r.GetInt32(0), r.IsDBNull(1) ? 0 : (uint)r.GetInt64(1)),
            ct,
            mailbox.Id).ConfigureAwait(false))!;
        return new MailboxSnapshot(
            mailbox.Name,
            mailbox.UidValidity,
            mailbox.UidNext,
            knownModSeq,
            known,
            mailbox.Keywords,
            mailbox.Keywords.Count < limits.MaxKeywordsPerMailbox,
            unseen,
            firstUnseen,
            readOnly);
    }

    public async Task<StoreResult<MailboxChanges>> RunAsync(PgSession s, State state, bool takeExpunges, CancellationToken ct)
    {
        var mailbox = await PostgresMailStore.FindMailboxAsync(s, _mailboxId, ct).ConfigureAwait(false);
        if (mailbox is null || mailbox.Noselect)
        {
            return StoreResult<MailboxChanges>.Fail(StoreErrorCode.NotFound, "The mailbox no longer exists.");
        }

        var snapshot = state.Snapshot;
        if (mailbox.HighestModSeq == state.KnownModSeq
            && (!takeExpunges || state.Untaken.Count == 0)
            && mailbox.UidNext == snapshot.UidNext
            && mailbox.UidValidity == snapshot.UidValidity
            && string.Equals(mailbox.Name, snapshot.Name, StringComparison.Ordinal)
            && mailbox.Keywords.SequenceEqual(snapshot.Keywords, StringComparer.Ordinal))
        {
            Next = state with { OwnModSeqs = new HashSet<ulong>() };
            return StoreResult<MailboxChanges>.Success(new MailboxChanges([], snapshot, false));
        }

        var known = state.Known;
        bool IsKnown(uint uid) => Array.BinarySearch(known, uid) >= 0;
        var since = (long)state.KnownModSeq;
        var untaken = new List<(uint Uid, ulong ModSeq)>(state.Untaken);
        var expunged = new HashSet<uint>();
        var appended = new List<uint>();
        var changes = new List<MailboxChange>();
        foreach (var (uid, modSeq) in await s.ListAsync("SELECT uid, modseq FROM expunged WHERE mailbox_id = $1 AND modseq > $2", r => ((uint)r.GetInt64(0), (ulong)r.GetInt64(1)), ct, _mailboxId, since).ConfigureAwait(false))
        {
            if (IsKnown(uid))
            {
                untaken.Add((uid, modSeq));
            }
        }

        if (takeExpunges)
        {
            foreach (var (uid, modSeq) in untaken)
            {
                if (expunged.Add(uid))
                {
                    changes.Add(new MailboxChange(MailboxChangeKind.Expunged, uid, modSeq, MessageFlags.None, []));
                }
            }

            untaken.Clear();
        }

        var rows = await s.ListAsync(
            "SELECT uid, modseq, flags, keywords FROM messages WHERE mailbox_id = $1 AND modseq > $2",
            r => (Uid: (uint)r.GetInt64(0), ModSeq: (ulong)r.GetInt64(1), Flags: (MessageFlags)r.GetInt32(2), Keywords: r.GetFieldValue<string[]>(3)),
            ct,
            _mailboxId,
            since).ConfigureAwait(false);
        foreach (var row in rows)
        {
            if (!IsKnown(row.Uid) || expunged.Contains(row.Uid))
            {
                appended.Add(row.Uid);
                changes.Add(new MailboxChange(MailboxChangeKind.Appended, row.Uid, row.ModSeq, row.Flags, row.Keywords));
            }
            else if (!state.OwnModSeqs.Contains(row.ModSeq))
            {
                changes.Add(new MailboxChange(MailboxChangeKind.FlagsChanged, row.Uid, row.ModSeq, row.Flags, row.Keywords));
            }
        }

        changes.Sort((a, b) => a.ModSeq != b.ModSeq ? a.ModSeq.CompareTo(b.ModSeq) : a.Uid.CompareTo(b.Uid));
        if (expunged.Count > 0 || appended.Count > 0)
        {
            var next = new List<uint>(known.Length + appended.Count);
            next.AddRange(expunged.Count == 0 ? known : known.Where(u => !expunged.Contains(u)));
            next.AddRange(appended);
            next.Sort();
            known = [.. next.Distinct()];
        }

        Dropped = expunged.Count > 0;
        var keywordsChanged = mailbox.Keywords.Count != state.KeywordCount;
        var nextSnapshot = await SnapshotAsync(s, mailbox, known, mailbox.HighestModSeq, _store.Limits, _readOnly, ct).ConfigureAwait(false);
        Next = new State(known, mailbox.HighestModSeq, mailbox.Keywords.Count, untaken, new HashSet<ulong>(), nextSnapshot);
        return StoreResult<MailboxChanges>.Success(new MailboxChanges(changes, nextSnapshot, keywordsChanged));
    }

    /// <summary>What a view knows: its UIDs and MODSEQ, the expunges it has not taken, its own MODSEQs since the last poll.</summary>
    public sealed record State(uint[] Known, ulong KnownModSeq, int KeywordCount, IReadOnlyList<(uint Uid, ulong ModSeq)> Untaken, IReadOnlySet<ulong> OwnModSeqs, MailboxSnapshot Snapshot);
}
