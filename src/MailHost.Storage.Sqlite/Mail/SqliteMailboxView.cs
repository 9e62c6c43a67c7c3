using Microsoft.Data.Sqlite;

namespace MailHost.Storage.Sqlite.Mail;

/// <summary>
/// A selected mailbox of <see cref="SqliteMailStore"/>. Its only state is its snapshot (known UIDs and MODSEQ). It is
/// registered with the store while open, so that messages other sessions expunge stay readable to it until it takes
/// the expunge (see <see cref="IMailboxView"/>): their rows are then read from <c>retained</c>.
/// </summary>
internal sealed partial class SqliteMailboxView : IMailboxView, IOpenMailboxView
{
    private const int FetchPage = 500;

    // The messages row alone: a contents row fills a page with a small message's inline bytes, so FETCH joins it
    // only for the MIME index (see SqliteMailSchema, version 3). SEARCH also reads the sent date from there.
    private const string FetchColumns = "m.uid, m.flags, m.keywords, m.modseq, m.internal_date, m.internal_offset, m.save_date, m.size, m.email_id, m.thread_id, m.content_id";
    private const string MessageColumns = FetchColumns + ", c.sent_date, c.sent_offset";
    private const int IndexColumn = 11;

    private readonly SqliteMailStore _store;
    private readonly long _accountId;
    private readonly long _mailboxId;
    private readonly bool _readOnly;
    private readonly HashSet<ulong> _ownModSeqs = [];

    // FETCH without the MIME index is answered from these rows (flags, dates, sizes, ids) once a large FETCH has
    // loaded them; each later FETCH first reads the mailbox row and brings them up to its HIGHESTMODSEQ in the same
    // read transaction, so an answer is exactly what the messages table holds at that moment, for writes from any
    // process. Null until loaded, and never for mailboxes above the store's MaxKeptRows.
    private const int CacheFillThreshold = 64;
    private Dictionary<uint, MessageData>? _rows;
    private ulong _rowsModSeq;

    // Replaced, never changed in place: the snapshot shares the array, and the store's release pass reads it from
    // the writer's thread (IOpenMailboxView.Holds).
    private volatile uint[] _known = [];
    private ulong _knownModSeq;
    private int _knownKeywordCount;

    // Expunges by others that the session has not taken yet (RFC 9051 §7.5.1): still in _known, still readable.
    private readonly List<(uint Uid, ulong ModSeq)> _untaken = [];

    // Above zero while a read may bring UIDs into _known: the view then holds every message.
    private int _reading;
    private bool _disposed;

    public SqliteMailboxView(SqliteMailStore store, long accountId, long mailboxId, bool readOnly)
    {
        _store = store;
        _accountId = accountId;
        _mailboxId = mailboxId;
        _readOnly = readOnly;
        Snapshot = new MailboxSnapshot(string.Empty, 0, 0, 0, [], [], false, 0, 0, readOnly);
    }

    public MailboxSnapshot Snapshot { get; private set; }

    public async Task<StoreResult> LoadAsync(CancellationToken cancellationToken)
    {
        // Registered first, then read once the write batch in flight (if any) has committed: an expunge decided
        // before the registration is then not in the snapshot, and one decided after it keeps the row for this view.
        _store.Views.Add(_mailboxId, this);
        Interlocked.Increment(ref _reading);
        var loaded = false;
        try
        {
            await _store.RunningBatch.WaitAsync(cancellationToken).ConfigureAwait(false);
            loaded = await _store.ReadAsync(db =>
            {
                var mailbox = SqliteMailStore.FindMailbox(db, _mailboxId);
                if (mailbox is null || mailbox.Noselect)
                {
                    return false;
                }

                _known = [.. db.List("SELECT uid FROM messages WHERE mailbox_id = @p0 ORDER BY uid", r => (uint)r.GetInt64(0), _mailboxId)];
                _knownModSeq = mailbox.HighestModSeq;
                _knownKeywordCount = mailbox.Keywords.Count;
                Snapshot = MakeSnapshot(db, mailbox);
                return true;
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _reading);
            if (!loaded)
            {
                _store.Views.Remove(_mailboxId, this);
            }
        }

        return loaded ? StoreResult.Success : StoreResult.Fail(StoreErrorCode.NotFound, "No such mailbox.");
    }

    /// <summary>Called by the store's release pass, on the writer's thread.</summary>
    bool IOpenMailboxView.Holds(uint uid) => Volatile.Read(ref _reading) > 0 || Array.BinarySearch(_known, uid) >= 0;

    public async ValueTask<StoreResult<StoreFlagsResult>> StoreFlagsAsync(UidSet uids, FlagOperation operation, MessageFlags flags, IReadOnlyList<string> keywords, ulong? unchangedSince, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uids);
        if (_readOnly)
        {
            return StoreResult<StoreFlagsResult>.Fail(StoreErrorCode.ReadOnly, "The mailbox is open read-only.");
        }

        var result = await _store.WriteAsync(ctx =>
        {
            var mailbox = SqliteMailStore.FindMailbox(ctx.Db, _mailboxId);
            if (mailbox is null || mailbox.Noselect)
            {
                return StoreResult<StoreFlagsResult>.Fail(StoreErrorCode.NotFound, "The mailbox no longer exists.");
            }

            var resolved = FlagChange.ResolveKeywords(keywords, mailbox.Keywords, _store.Limits.MaxKeywordsPerMailbox, out var created);
            if (!resolved.IsSuccess)
            {
                return StoreResult<StoreFlagsResult>.Fail(resolved.Error);
            }

            var rows = SelectRows(ctx.Db, uids, "uid, flags, keywords, modseq", r => (Uid: (uint)r.GetInt64(0), Flags: (MessageFlags)r.GetInt32(1), Keywords: SqliteMailStore.SplitKeywords(r.GetString(2)), ModSeq: (ulong)r.GetInt64(3)));
            var states = new List<MessageFlagState>(rows.Count);
            var modified = new List<uint>();
            var modSeq = mailbox.HighestModSeq;
            var bumped = false;
            foreach (var row in rows)
            {
                // RFC 7162 §3.1.3: UNCHANGEDSINCE leaves messages changed after it alone and reports them.
                if (unchangedSince is { } since && row.ModSeq > since)
                {
                    modified.Add(row.Uid);
                    continue;
                }

                var (newFlags, newKeywords) = FlagChange.Apply(operation, row.Flags, row.Keywords, flags, resolved.Value);
                var changed = newFlags != row.Flags || !FlagChange.SameKeywords(newKeywords, row.Keywords);
                if (!changed)
                {
                    states.Add(new MessageFlagState(row.Uid, row.Flags, row.Keywords, row.ModSeq, false));
                    continue;
                }

                if (!bumped)
                {
                    modSeq++;
                    bumped = true;
                }

                ctx.Db.Exec("UPDATE messages SET flags = @p2, keywords = @p3, modseq = @p4 WHERE mailbox_id = @p0 AND uid = @p1", _mailboxId, (long)row.Uid, (int)newFlags, SqliteMailStore.JoinKeywords(newKeywords), (long)modSeq);
                states.Add(new MessageFlagState(row.Uid, newFlags, newKeywords, modSeq, true));
            }

            if (bumped || created.Count > 0)
            {
                ctx.Db.Exec("UPDATE mailboxes SET highest_modseq = @p1, keywords = @p2 WHERE id = @p0", _mailboxId, (long)modSeq, SqliteMailStore.JoinKeywords(mailbox.Keywords.Concat(created)));
            }

            if (bumped)
            {
                var published = modSeq;
                ctx.AfterCommit(_ => _store.Feed.Publish(_mailboxId, published));
            }

            return StoreResult<StoreFlagsResult>.Success(new StoreFlagsResult(states, modified, modSeq));
        }, cancellationToken).ConfigureAwait(false);
        if (result.IsSuccess)
        {
            foreach (var state in result.Value.Messages)
            {
                if (state.Changed)
                {
                    _ownModSeqs.Add(state.ModSeq);
                }
            }
        }

        return result;
    }

    public async ValueTask<StoreResult<ExpungeResult>> ExpungeAsync(UidSet? uids, CancellationToken cancellationToken)
    {
        if (_readOnly)
        {
            return StoreResult<ExpungeResult>.Fail(StoreErrorCode.ReadOnly, "The mailbox is open read-only.");
        }

        var result = await _store.WriteAsync(ctx =>
        {
            var mailbox = SqliteMailStore.FindMailbox(ctx.Db, _mailboxId);
            if (mailbox is null || mailbox.Noselect)
            {
                return StoreResult<ExpungeResult>.Fail(StoreErrorCode.NotFound, "The mailbox no longer exists.");
            }

            // Only \Deleted rows are read (8 is MessageFlags.Deleted); the writer does not walk the whole mailbox.
            var victims = SelectRows(ctx.Db, uids ?? UidSet.All, "uid, content_id", r => (Uid: (uint)r.GetInt64(0), ContentId: r.GetInt64(1)), " AND (flags & 8) <> 0");
            var modSeq = RemoveMessages(_store, ctx, mailbox, victims, this);
            return StoreResult<ExpungeResult>.Success(new ExpungeResult(victims.Select(v => v.Uid).ToList(), modSeq));
        }, cancellationToken).ConfigureAwait(false);
        if (result.IsSuccess)
        {
            Forget(result.Value.Expunged, result.Value.HighestModSeq);
        }

        return result;
    }

    public ValueTask<StoreResult<CopyResult>> CopyAsync(UidSet uids, string destination, CancellationToken cancellationToken) => TransferAsync(uids, destination, move: false, cancellationToken);

    public ValueTask<StoreResult<CopyResult>> MoveAsync(UidSet uids, string destination, CancellationToken cancellationToken)
    {
        if (_readOnly)
        {
            return ValueTask.FromResult(StoreResult<CopyResult>.Fail(StoreErrorCode.ReadOnly, "The mailbox is open read-only."));
        }

        return TransferAsync(uids, destination, move: true, cancellationToken);
    }

    public async ValueTask<StoreResult<IReadOnlyList<uint>>> GetVanishedAsync(ulong sinceModSeq, CancellationToken cancellationToken) =>
        await _store.ReadAsync(db =>
        {
            if (SqliteMailStore.FindMailbox(db, _mailboxId) is not { Noselect: false })
            {
                return StoreResult<IReadOnlyList<uint>>.Fail(StoreErrorCode.NotFound, "The mailbox no longer exists.");
            }

            IReadOnlyList<uint> list = db.List("SELECT uid FROM expunged WHERE mailbox_id = @p0 AND modseq > @p1 ORDER BY uid", r => (uint)r.GetInt64(0), _mailboxId, (long)Math.Min(sinceModSeq, long.MaxValue));
            return StoreResult<IReadOnlyList<uint>>.Success(list);
        }, cancellationToken).ConfigureAwait(false);

    public async ValueTask<StoreResult<IReadOnlyList<uint>>> ClaimRecentAsync(CancellationToken cancellationToken)
    {
        var known = _known;
        var upTo = Math.Max(Snapshot.UidNext, known.Length > 0 ? known[^1] + 1 : 0);
        var floor = await _store.ReadAsync(db => SqliteMailStore.FindMailbox(db, _mailboxId) is { Noselect: false } m ? m.FirstRecentUid : (uint?)null, cancellationToken).ConfigureAwait(false);
        if (floor is null)
        {
            return StoreResult<IReadOnlyList<uint>>.Fail(StoreErrorCode.NotFound, "The mailbox no longer exists.");
        }

        if (!_readOnly && floor < upTo)
        {
            // The claim is one write: the floor read there is the one that counts, whichever session or process
            // raced us to it. Only a snapshot holding unclaimed messages writes at all.
            var claimed = await _store.WriteAsync(ctx =>
            {
                var current = ctx.Db.Long("SELECT first_recent_uid FROM mailboxes WHERE id = @p0", _mailboxId);
                if (current is null)
                {
                    return StoreResult<uint>.Fail(StoreErrorCode.NotFound, "The mailbox no longer exists.");
                }

                if (current < upTo)
                {
                    ctx.Db.Exec("UPDATE mailboxes SET first_recent_uid = @p1 WHERE id = @p0", _mailboxId, (long)upTo);
                }

                return StoreResult<uint>.Success((uint)current.Value);
            }, cancellationToken).ConfigureAwait(false);
            if (!claimed.IsSuccess)
            {
                return StoreResult<IReadOnlyList<uint>>.Fail(claimed.Error);
            }

            floor = claimed.Value;
        }

        var from = Array.BinarySearch(known, floor.Value);
        IReadOnlyList<uint> recent = known[(from >= 0 ? from : ~from)..];
        return StoreResult<IReadOnlyList<uint>>.Success(recent);
    }

    /// <summary>Whether FETCH answers from loaded rows (for tests).</summary>
    internal bool HasLoadedRows => _rows is not null;

    public async ValueTask WaitForChangesAsync(CancellationToken cancellationToken)
    {
        // A session waiting in IDLE may wait for hours, and thousands of them may wait at once: the loaded rows
        // (some hundred bytes per message) are let go, and a later large FETCH loads them again.
        _rows = null;
        _searchRows = null;
        if (_untaken.Count > 0)
        {
            return;
        }

        var current = await _store.ReadAsync(db => SqliteMailStore.FindMailbox(db, _mailboxId) is { Noselect: false } m ? m.HighestModSeq : ulong.MaxValue, cancellationToken).ConfigureAwait(false);
        if (current > _knownModSeq)
        {
            return;
        }

        await _store.Feed.WaitAsync(_mailboxId, _knownModSeq, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask<StoreResult<MailboxChanges>> PollChangesAsync(CancellationToken cancellationToken) => PollChangesAsync(takeExpunges: true, cancellationToken);

    public async ValueTask<StoreResult<MailboxChanges>> PollChangesAsync(bool takeExpunges, CancellationToken cancellationToken)
    {
        var dropped = false;
        Interlocked.Increment(ref _reading);
        try
        {
            return await _store.ReadAsync(db => Poll(db, takeExpunges, out dropped), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _reading);
            if (dropped)
            {
                // What this view let go of may be held by no view now.
                _store.RequestRelease(_mailboxId);
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            _store.Views.Remove(_mailboxId, this);
            _store.RequestRelease(_mailboxId);
        }

        return ValueTask.CompletedTask;
    }

    private StoreResult<MailboxChanges> Poll(DbSession db, bool takeExpunges, out bool dropped)
    {
        dropped = false;
        var mailbox = SqliteMailStore.FindMailbox(db, _mailboxId);
        if (mailbox is null || mailbox.Noselect)
        {
            return StoreResult<MailboxChanges>.Fail(StoreErrorCode.NotFound, "The mailbox no longer exists.");
        }

        // Every change to the mailbox's messages raises HIGHESTMODSEQ in the same transaction, so an unchanged row
        // means nothing happened since the last poll, whichever process or host wrote.
        var snapshot = Snapshot;
        if (mailbox.HighestModSeq == _knownModSeq
            && (!takeExpunges || _untaken.Count == 0)
            && mailbox.UidNext == snapshot.UidNext
            && mailbox.UidValidity == snapshot.UidValidity
            && string.Equals(mailbox.Name, snapshot.Name, StringComparison.Ordinal)
            && mailbox.Keywords.SequenceEqual(snapshot.Keywords, StringComparer.Ordinal))
        {
            _ownModSeqs.Clear();
            return StoreResult<MailboxChanges>.Success(new MailboxChanges([], snapshot, false));
        }

        var since = (long)_knownModSeq;
        var untaken = new List<(uint Uid, ulong ModSeq)>(_untaken);
        var expunged = new HashSet<uint>();
        var appended = new List<uint>();
        var changes = new List<MailboxChange>();
        db.Query("SELECT uid, modseq FROM expunged WHERE mailbox_id = @p0 AND modseq > @p1", r =>
        {
            var uid = (uint)r.GetInt64(0);
            if (IsKnown(uid))
            {
                untaken.Add((uid, (ulong)r.GetInt64(1)));
            }
        }, _mailboxId, since);
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

        db.Query("SELECT uid, modseq, flags, keywords FROM messages WHERE mailbox_id = @p0 AND modseq > @p1", r =>
        {
            var uid = (uint)r.GetInt64(0);
            var modSeq = (ulong)r.GetInt64(1);
            var flags = (MessageFlags)r.GetInt32(2);
            var keywords = SqliteMailStore.SplitKeywords(r.GetString(3));
            if (!IsKnown(uid) || expunged.Contains(uid))
            {
                appended.Add(uid);
                changes.Add(new MailboxChange(MailboxChangeKind.Appended, uid, modSeq, flags, keywords));
            }
            else if (!_ownModSeqs.Contains(modSeq))
            {
                changes.Add(new MailboxChange(MailboxChangeKind.FlagsChanged, uid, modSeq, flags, keywords));
            }
        }, _mailboxId, since);
        changes.Sort((a, b) => a.ModSeq != b.ModSeq ? a.ModSeq.CompareTo(b.ModSeq) : a.Uid.CompareTo(b.Uid));
        if (expunged.Count > 0 || appended.Count > 0)
        {
            var known = new List<uint>(_known.Length + appended.Count);
            known.AddRange(expunged.Count == 0 ? _known : _known.Where(u => !expunged.Contains(u)));
            known.AddRange(appended);
            known.Sort();
            _known = [.. known.Distinct()];
        }

        _untaken.Clear();
        _untaken.AddRange(untaken);
        dropped = expunged.Count > 0;
        _knownModSeq = mailbox.HighestModSeq;
        _ownModSeqs.Clear();
        var keywordsChanged = mailbox.Keywords.Count != _knownKeywordCount;
        _knownKeywordCount = mailbox.Keywords.Count;
        Snapshot = MakeSnapshot(db, mailbox);
        return StoreResult<MailboxChanges>.Success(new MailboxChanges(changes, Snapshot, keywordsChanged));
    }

    private bool IsKnown(uint uid) => Array.BinarySearch(_known, uid) >= 0;

    private void Forget(IReadOnlyList<uint> uids, ulong modSeq)
    {
        if (uids.Count == 0)
        {
            return;
        }

        _ownModSeqs.Add(modSeq);
        var removed = new HashSet<uint>(uids);
        _known = [.. _known.Where(u => !removed.Contains(u))];
        Snapshot = Snapshot with { Uids = _known };

        // What was kept for the other views may be held by none of them (they never knew the message).
        _store.RequestRelease(_mailboxId);
    }

    private List<T> SelectRows<T>(DbSession db, UidSet uids, string columns, Func<SqliteDataReader, T> map, string condition = "")
    {
        var windows = uids.Ranges.Count <= 16 ? uids.Ranges : [new UidRange(uids.Min, uids.Max)];
        var rows = new List<T>();
        foreach (var window in windows)
        {
            db.Query(
                $"SELECT {columns} FROM messages WHERE mailbox_id = @p0 AND uid >= @p1 AND uid <= @p2{condition} ORDER BY uid",
                r =>
                {
                    var uid = (uint)r.GetInt64(0);
                    if (uids.Contains(uid) && IsKnown(uid))
                    {
                        rows.Add(map(r));
                    }
                },
                _mailboxId,
                (long)window.First,
                (long)window.Last);
        }

        return rows;
    }

    private static DateTimeOffset Date(long unixMilliseconds, int offsetMinutes) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds).ToOffset(TimeSpan.FromMinutes(offsetMinutes));

    private MailboxSnapshot MakeSnapshot(DbSession db, MailboxRow mailbox)
    {
        var unseen = 0;
        uint firstUnseen = 0;
        RefreshRows(db, mailbox);
        if (_rows is { } rows && _rowsModSeq == mailbox.HighestModSeq)
        {
            // The loaded rows are the table at this HIGHESTMODSEQ: count in memory instead of scanning the mailbox.
            foreach (var message in rows.Values)
            {
                if ((message.Flags & MessageFlags.Seen) == 0)
                {
                    unseen++;
                    firstUnseen = firstUnseen == 0 ? message.Uid : Math.Min(firstUnseen, message.Uid);
                }
            }
        }
        else
        {
            db.Query("SELECT COUNT(*), MIN(uid) FROM messages WHERE mailbox_id = @p0 AND (flags & 1) = 0", r =>
            {
                unseen = r.GetInt32(0);
                firstUnseen = r.IsDBNull(1) ? 0 : (uint)r.GetInt64(1);
            }, mailbox.Id);
        }

        return new MailboxSnapshot(
            mailbox.Name,
            mailbox.UidValidity,
            mailbox.UidNext,
            _knownModSeq,
            _known,
            mailbox.Keywords,
            mailbox.Keywords.Count < _store.Limits.MaxKeywordsPerMailbox,
            unseen,
            firstUnseen,
            _readOnly);
    }
}
