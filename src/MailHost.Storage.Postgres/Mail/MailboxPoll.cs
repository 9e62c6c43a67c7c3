using System.Text.Json;

namespace MailHost.Storage.Postgres.Mail;

/// <summary>
/// One poll of a view (NOOP, IDLE wake-up, after each command): the expunges, appends and flag changes since the view's
/// MODSEQ, in MODSEQ order, and the view's next state. Every change to a mailbox's messages raises its HIGHESTMODSEQ
/// in the same transaction, so an unchanged mailbox row means nothing happened, whichever host wrote: most polls are
/// that one read, and the others one statement (one snapshot).
/// </summary>
internal sealed class MailboxPoll
{
    private readonly PostgresMailStore _store;
    private readonly long _mailboxId;
    private readonly bool _readOnly;

    /// <summary>
    /// The whole poll as one statement, so in one snapshot without a transaction and in one round trip: the mailbox row
    /// with, in columns of their own, the expunges and the message rows above the view's MODSEQ (as JSON arrays) and
    /// the lowest unseen UID (the mailbox row carries the unseen count).
    /// </summary>
    private static readonly string PollSql =
        $"""
        SELECT {MailboxRow.Columns},
          (SELECT COALESCE(json_agg(json_build_array(e.uid, e.modseq)), '[]'::json) FROM expunged e WHERE e.mailbox_id = $1 AND e.modseq > $2),
          (SELECT COALESCE(json_agg(json_build_array(m.uid, m.modseq, m.flags, m.keywords)), '[]'::json) FROM messages m WHERE m.mailbox_id = $1 AND m.modseq > $2),
          {UnseenCount.FirstSql}
        FROM mailboxes WHERE id = $1
        """;

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
        var unseen = await UnseenCount.ReadAsync(s, mailbox.Id, ct).ConfigureAwait(false);
        return Snapshot(mailbox, known, knownModSeq, limits, readOnly, unseen);
    }

    /// <summary>
    /// Whether <paramref name="mailbox"/>, read on its own, shows nothing the view has not taken: then the poll is
    /// that one read. Every change to a mailbox's messages raises its HIGHESTMODSEQ in the same transaction.
    /// </summary>
    public static bool IsUnchanged(MailboxRow? mailbox, State state, bool takeExpunges) =>
        mailbox is { Noselect: false }
        && mailbox.HighestModSeq == state.KnownModSeq
        && (!takeExpunges || state.Untaken.Count == 0)
        && mailbox.UidNext == state.Snapshot.UidNext
        && mailbox.UidValidity == state.Snapshot.UidValidity
        && string.Equals(mailbox.Name, state.Snapshot.Name, StringComparison.Ordinal)
        && mailbox.Keywords.SequenceEqual(state.Snapshot.Keywords, StringComparer.Ordinal);

    /// <summary>The view's state when <see cref="IsUnchanged"/> said so: only its own MODSEQs are forgotten.</summary>
    public void Unchanged(State state) => Next = state with { OwnModSeqs = new HashSet<ulong>() };

    /// <summary>Runs the poll (<see cref="PollSql"/>) on <paramref name="s"/>, outside any transaction.</summary>
    public async Task<StoreResult<MailboxChanges>> RunAsync(PgSession s, State state, bool takeExpunges, CancellationToken ct)
    {
        var since = (long)state.KnownModSeq;
        MailboxRow? mailbox = null;
        var expungedRows = new List<(uint Uid, ulong ModSeq)>();
        var rows = new List<(uint Uid, ulong ModSeq, MessageFlags Flags, string[] Keywords)>();
        var unseen = default(UnseenCount);
        void Read(Npgsql.NpgsqlDataReader r)
        {
            mailbox = MailboxRow.Read(r);
            const int First = MailboxRow.ColumnCount;
            using (var expunged = JsonDocument.Parse(r.GetString(First)))
            {
                foreach (var e in expunged.RootElement.EnumerateArray())
                {
                    expungedRows.Add((e[0].GetUInt32(), e[1].GetUInt64()));
                }
            }

            using (var changed = JsonDocument.Parse(r.GetString(First + 1)))
            {
                foreach (var m in changed.RootElement.EnumerateArray())
                {
                    rows.Add((m[0].GetUInt32(), m[1].GetUInt64(), (MessageFlags)m[2].GetInt32(), [.. m[3].EnumerateArray().Select(k => k.GetString()!)]));
                }
            }

            unseen = new UnseenCount(mailbox.Unseen, r.IsDBNull(First + 2) ? 0 : (uint)r.GetInt64(First + 2));
        }

        await s.QueryBatchAsync(ct, (PollSql, [_mailboxId, since], Read)).ConfigureAwait(false);
        if (mailbox is null || mailbox.Noselect)
        {
            return StoreResult<MailboxChanges>.Fail(StoreErrorCode.NotFound, "The mailbox no longer exists.");
        }

        if (IsUnchanged(mailbox, state, takeExpunges))
        {
            Unchanged(state);
            return StoreResult<MailboxChanges>.Success(new MailboxChanges([], state.Snapshot, false));
        }

        var known = state.Known;
        bool IsKnown(uint uid) => Array.BinarySearch(known, uid) >= 0;
        var untaken = new List<(uint Uid, ulong ModSeq)>(state.Untaken);
        var expunged = new HashSet<uint>();
        var appended = new List<uint>();
        var changes = new List<MailboxChange>();
        foreach (var (uid, modSeq) in expungedRows)
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
        var nextSnapshot = Snapshot(mailbox, known, mailbox.HighestModSeq, _store.Limits, _readOnly, unseen);
        Next = new State(known, mailbox.HighestModSeq, mailbox.Keywords.Count, untaken, new HashSet<ulong>(), nextSnapshot);
        return StoreResult<MailboxChanges>.Success(new MailboxChanges(changes, nextSnapshot, keywordsChanged));
    }

    private static MailboxSnapshot Snapshot(MailboxRow mailbox, uint[] known, ulong knownModSeq, MailStoreLimits limits, bool readOnly, UnseenCount unseen) =>
        new(
            mailbox.Name,
            mailbox.UidValidity,
            mailbox.UidNext,
            knownModSeq,
            known,
            mailbox.Keywords,
            mailbox.Keywords.Count < limits.MaxKeywordsPerMailbox,
            unseen.Count,
            unseen.First,
            readOnly);

    /// <summary>What a view knows: its UIDs and MODSEQ, the expunges it has not taken, its own MODSEQs since the last poll.</summary>
    public sealed record State(uint[] Known, ulong KnownModSeq, int KeywordCount, IReadOnlyList<(uint Uid, ulong ModSeq)> Untaken, IReadOnlySet<ulong> OwnModSeqs, MailboxSnapshot Snapshot);
}
