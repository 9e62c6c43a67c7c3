using System.Runtime.CompilerServices;
using System.Text.Json;
using MailHost.Storage.Mime;
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

    public async IAsyncEnumerable<MessageData> FetchAsync(UidSet uids, FetchOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uids);
        ArgumentNullException.ThrowIfNull(options);
        if (uids.IsEmpty)
        {
            yield break;
        }

        if (_known.Length > _store.MaxKeptRows)
        {
            _rows = null;
        }
        else if (!options.IncludeIndex && (_rows is not null || uids.Count >= CacheFillThreshold))
        {
            var cached = await _store.ReadAsync(db => FromCachedRows(db, uids, Math.Min(options.ChangedSince ?? 0, long.MaxValue)), cancellationToken).ConfigureAwait(false);
            foreach (var message in cached)
            {
                yield return message;
            }

            yield break;
        }

        // Few ranges: one window each. Many scattered UIDs: one window over their span, filtered here.
        var windows = uids.Ranges.Count <= 16 ? uids.Ranges : [new UidRange(uids.Min, uids.Max)];
        var columns = FetchColumns + (options.IncludeIndex ? ", c.index_json, c.thread_references" : string.Empty);
        var join = options.IncludeIndex ? "JOIN contents c ON c.id = m.content_id " : string.Empty;
        var changedSince = (long)Math.Min(options.ChangedSince ?? 0, long.MaxValue);

        // RFC 2180 §4.1.1: a message another session expunged is read from retained until this view takes the
        // expunge. Both sides are ranges of a primary key: SQLite merges them, in order, without sorting.
        const string Window = "WHERE m.mailbox_id = @p0 AND m.uid >= @p1 AND m.uid <= @p2 AND m.modseq > @p3";
        var query = $"SELECT {columns} FROM messages m {join}{Window} UNION ALL SELECT {columns} FROM retained m {join}{Window} ORDER BY 1 LIMIT {FetchPage}";
        foreach (var window in windows)
        {
            long cursor = window.First;
            while (cursor <= window.Last)
            {
                var from = cursor;
                var page = await _store.ReadAsync(
                    db => db.List(
                        query,
                        r => ReadMessage(r, options.IncludeIndex),
                        _mailboxId,
                        from,
                        (long)window.Last,
                        changedSince),
                    cancellationToken).ConfigureAwait(false);
                foreach (var message in page)
                {
                    if (uids.Contains(message.Uid) && IsKnown(message.Uid))
                    {
                        yield return message.Index is { References: null } ? await WithReferencesAsync(message, cancellationToken).ConfigureAwait(false) : message;
                    }
                }

                if (page.Count < FetchPage)
                {
                    break;
                }

                cursor = (long)page[^1].Uid + 1;
            }
        }
    }

    /// <summary>Brings loaded rows up to <paramref name="mailbox"/>'s HIGHESTMODSEQ, inside the caller's read transaction.</summary>
    private void RefreshRows(DbSession db, MailboxRow mailbox)
    {
        if (_rows is not { } rows || mailbox.HighestModSeq == _rowsModSeq)
        {
            return;
        }

        // Every change to a message raises its modseq and the mailbox's; an expunge is recorded with its modseq.
        var since = (long)_rowsModSeq;
        db.Query("SELECT uid FROM expunged WHERE mailbox_id = @p0 AND modseq > @p1", r => rows.Remove((uint)r.GetInt64(0)), _mailboxId, since);
        db.Query($"SELECT {FetchColumns} FROM messages m WHERE m.mailbox_id = @p0 AND m.modseq > @p1", r => rows[(uint)r.GetInt64(0)] = ReadMessage(r, includeIndex: false), _mailboxId, since);
        _rowsModSeq = mailbox.HighestModSeq;
    }

    /// <summary>Loads the rows the first time, or brings them up to <paramref name="mailbox"/>'s HIGHESTMODSEQ, inside the caller's read transaction.</summary>
    private Dictionary<uint, MessageData> LoadRows(DbSession db, MailboxRow mailbox)
    {
        if (_rows is { } loaded)
        {
            RefreshRows(db, mailbox);
            return loaded;
        }

        var rows = new Dictionary<uint, MessageData>(_known.Length);
        db.Query($"SELECT {FetchColumns} FROM messages m WHERE m.mailbox_id = @p0", r => rows[(uint)r.GetInt64(0)] = ReadMessage(r, includeIndex: false), _mailboxId);
        _rows = rows;
        _rowsModSeq = mailbox.HighestModSeq;
        return rows;
    }

    /// <summary>
    /// Brings the cached rows up to the mailbox's HIGHESTMODSEQ (loading them all the first time) and answers the
    /// FETCH from them, inside one read transaction.
    /// </summary>
    private List<MessageData> FromCachedRows(DbSession db, UidSet uids, ulong changedSince)
    {
        var mailbox = SqliteMailStore.FindMailbox(db, _mailboxId);
        if (mailbox is null || mailbox.Noselect)
        {
            _rows = null;
            _searchRows = null;
            return [];
        }

        var rowsNow = LoadRows(db, mailbox);
        var result = new List<MessageData>();
        var missing = new List<uint>();
        var known = _known;
        foreach (var range in uids.Ranges)
        {
            var start = Array.BinarySearch(known, range.First);
            for (var i = start >= 0 ? start : ~start; i < known.Length && known[i] <= range.Last; i++)
            {
                if (!rowsNow.TryGetValue(known[i], out var message))
                {
                    missing.Add(known[i]);
                }
                else if (message.ModSeq > changedSince)
                {
                    result.Add(message);
                }
            }
        }

        if (missing.Count > 0)
        {
            // RFC 2180 §4.1.1: expunged by another session and not yet taken by this view: served from retained.
            db.Query(
                $"SELECT {FetchColumns} FROM retained m WHERE m.mailbox_id = @p0 AND m.uid >= @p1 AND m.uid <= @p2",
                r =>
                {
                    var message = ReadMessage(r, includeIndex: false);
                    if (missing.BinarySearch(message.Uid) >= 0 && message.ModSeq > changedSince)
                    {
                        result.Add(message);
                    }
                },
                _mailboxId,
                (long)missing[0],
                (long)missing[^1]);
            result.Sort((a, b) => a.Uid.CompareTo(b.Uid));
        }

        return result;
    }

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

    /// <summary>
    /// Content stored before schema version 2 has no References column value: the ids are taken from the stored
    /// header block, indexed exactly as at append, so threading sees what it would have seen. Nothing is written
    /// back; a read stays a read.
    /// </summary>
    private async Task<MessageData> WithReferencesAsync(MessageData message, CancellationToken cancellationToken)
    {
        var index = message.Index!;
        IReadOnlyList<string> references = [];
        var header = await message.Content.OpenAsync(0, index.HeaderLength, cancellationToken).ConfigureAwait(false);
        if (header is not null)
        {
            await using (header.ConfigureAwait(false))
            {
                var indexed = await MimeIndexer.IndexAsync(header, Math.Min(index.HeaderLength, message.Size), _store.Limits, cancellationToken).ConfigureAwait(false);
                references = indexed.Index.References ?? [];
            }
        }

        return message with { Index = index with { References = references } };
    }

    private MessageData ReadMessage(SqliteDataReader r, bool includeIndex)
    {
        var content = new SqliteMessageContent(_store, r.GetInt64(10), r.GetInt64(7));
        MessageIndex? index = null;
        if (includeIndex)
        {
            // A NULL thread_references (a row from before schema version 2) is filled in by FetchAsync.
            index = JsonSerializer.Deserialize<MessageIndex>(r.GetString(IndexColumn), SqliteMailStore.Json)! with
            {
                References = r.IsDBNull(IndexColumn + 1) ? null : JsonSerializer.Deserialize<string[]>(r.GetString(IndexColumn + 1), SqliteMailStore.Json),
            };
        }

        return new MessageData(
            (uint)r.GetInt64(0),
            (MessageFlags)r.GetInt32(1),
            SqliteMailStore.SplitKeywords(r.GetString(2)),
            (ulong)r.GetInt64(3),
            Date(r.GetInt64(4), r.GetInt32(5)),
            Date(r.GetInt64(6), 0),
            r.GetInt64(7),
            r.GetString(8),
            r.GetString(9),
            index,
            content);
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
