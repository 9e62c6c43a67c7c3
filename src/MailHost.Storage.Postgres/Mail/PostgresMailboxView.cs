using System.Runtime.CompilerServices;
using MailHost.Storage.Search;

namespace MailHost.Storage.Postgres.Mail;

/// <summary>
/// A selected mailbox of <see cref="PostgresMailStore"/>. Its only state is its snapshot (known UIDs and MODSEQ). It
/// is registered with its store while open, so that messages other sessions of this host expunge stay readable to
/// it until it takes the expunge (see <see cref="IMailboxView"/>): their rows are then read from <c>retained</c>.
/// Changes by any host reach it through the store's <see cref="PostgresChangeFeed"/>.
/// </summary>
internal sealed class PostgresMailboxView : IMailboxView, IOpenMailboxView
{
    private readonly PostgresMailStore _store;
    private readonly long _accountId;
    private readonly long _mailboxId;
    private readonly bool _readOnly;
    private readonly HashSet<ulong> _ownModSeqs = [];
    private readonly ViewRows _rows;
    private readonly MessagePages _pages;

    // Replaced, never changed in place: the snapshot shares the array, and the release pass reads it from another
    // thread (IOpenMailboxView.Holds).
    private volatile uint[] _known = [];
    private ulong _knownModSeq;
    private int _knownKeywordCount;

    // Taken before the last read or own write that found the view's state to be the mailbox's (see Advance): while the
    // change feed says nothing new of the mailbox since (PostgresChangeFeed.IsSilent), a poll needs no query.
    private FeedStamp? _verified;

    // Expunges by others that the session has not taken yet (RFC 9051 §7.5.1): still in _known, still readable.
    private readonly List<(uint Uid, ulong ModSeq)> _untaken = [];

    // Above zero while a read may bring UIDs into _known: the view then holds every message.
    private int _reading;
    private bool _disposed;

    public PostgresMailboxView(PostgresMailStore store, long accountId, long mailboxId, bool readOnly)
    {
        _store = store;
        _accountId = accountId;
        _mailboxId = mailboxId;
        _readOnly = readOnly;
        _rows = new ViewRows(store, mailboxId);
        _pages = new MessagePages(store, mailboxId);
        Snapshot = new MailboxSnapshot(string.Empty, 0, 0, 0, [], [], false, 0, 0, readOnly);
    }

    public MailboxSnapshot Snapshot { get; private set; }

    public async Task<StoreResult> LoadAsync(CancellationToken cancellationToken)
    {
        // Registered first, then read under a share lock of the mailbox row: an expunge that decided before the
        // registration has committed when the lock is granted (and is not in the snapshot), and one deciding after it
        // keeps the row for this view.
        _store.Views.Add(_mailboxId, this);
        Interlocked.Increment(ref _reading);
        var stamp = _store.Feed.Stamp(_mailboxId);
        var loaded = StoreResult<bool>.Success(false);
        try
        {
            loaded = await _store.WriteAsync(async (s, ct) =>
            {
                var mailbox = await s.FirstAsync($"SELECT {MailboxRow.Columns} FROM mailboxes WHERE id = $1 FOR SHARE", MailboxRow.Read, ct, _mailboxId).ConfigureAwait(false);
                if (mailbox is null || mailbox.Noselect)
                {
                    return StoreResult<bool>.Success(false);
                }

                _known = [.. await s.ListAsync("SELECT uid FROM messages WHERE mailbox_id = $1 ORDER BY uid", r => (uint)r.GetInt64(0), ct, _mailboxId).ConfigureAwait(false)];
                _knownModSeq = mailbox.HighestModSeq;
                _knownKeywordCount = mailbox.Keywords.Count;
                Snapshot = await MailboxPoll.SnapshotAsync(s, mailbox, _known, _knownModSeq, _store.Limits, _readOnly, ct).ConfigureAwait(false);
                return StoreResult<bool>.Success(true);
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _reading);
            if (!loaded.IsSuccess || !loaded.Value)
            {
                _store.Views.Remove(_mailboxId, this);
            }
            else
            {
                _verified = stamp;
            }
        }

        return !loaded.IsSuccess ? StoreResult.Fail(loaded.Error) : loaded.Value ? StoreResult.Success : StoreResult.Fail(StoreErrorCode.NotFound, "No such mailbox.");
    }

    /// <summary>Called by the store's release pass, from any thread.</summary>
    bool IOpenMailboxView.Holds(uint uid) => Volatile.Read(ref _reading) > 0 || Array.BinarySearch(_known, uid) >= 0;

    public async IAsyncEnumerable<MessageData> FetchAsync(UidSet uids, FetchOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uids);
        ArgumentNullException.ThrowIfNull(options);
        if (uids.IsEmpty)
        {
            yield break;
        }

        if (_rows.Answers(uids.Count, _known.Length, options))
        {
            var stamp = _store.Feed.Stamp(_mailboxId);
            var messages = await _rows.FetchAsync(uids, _known, options.ChangedSince ?? 0, cancellationToken).ConfigureAwait(false);

            // When the rows were brought up to the mailbox row read with them and it shows nothing new, neither would
            // the poll after this FETCH.
            if (_rows.Mailbox is { } mailbox)
            {
                Verified(mailbox, stamp);
            }

            foreach (var message in messages)
            {
                yield return message;
            }

            yield break;
        }

        await foreach (var message in _pages.ReadAsync(uids, options, _known, Verified, cancellationToken).ConfigureAwait(false))
        {
            yield return message;
        }
    }

    public async ValueTask<StoreResult<StoreFlagsResult>> StoreFlagsAsync(UidSet uids, FlagOperation operation, MessageFlags flags, IReadOnlyList<string> keywords, ulong? unchangedSince, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uids);
        if (_readOnly)
        {
            return StoreResult<StoreFlagsResult>.Fail(StoreErrorCode.ReadOnly, "The mailbox is open read-only.");
        }

        if (_rows.TryStoreNothing(uids, _known, operation, flags, keywords, unchangedSince, Snapshot, out var nothing))
        {
            return StoreResult<StoreFlagsResult>.Success(nothing);
        }

        FlagStore? store = null;
        var stamp = _store.Feed.Stamp(_mailboxId);
        var result = await _store.WriteAsync(
            (s, ct) =>
            {
                store = new FlagStore(_store, s, _mailboxId, IsKnown);
                return store.RunAsync(uids, operation, flags, keywords, unchangedSince, ct);
            },
            cancellationToken).ConfigureAwait(false);
        if (result.IsSuccess)
        {
            Advance(store?.Written, stamp);
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

    public async ValueTask<StoreResult<SearchResult>> SearchAsync(SearchCriteria criteria, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        if (SearchEvaluator.Validate(criteria, _store.Limits).Error is { } error)
        {
            return StoreResult<SearchResult>.Fail(error);
        }

        var now = _store.Time.GetUtcNow();
        return await _store.TryReadAsync(async (s, ct) =>
        {
            if (await PostgresMailStore.FindMailboxAsync(s, _mailboxId, ct).ConfigureAwait(false) is not { Noselect: false })
            {
                return StoreResult<SearchResult>.Fail(StoreErrorCode.NotFound, "The mailbox no longer exists.");
            }

            var textMatches = new Dictionary<SearchCriteria, HashSet<long>>(ReferenceEqualityComparer.Instance);
            foreach (var text in SearchEvaluator.CollectTextCriteria(criteria))
            {
                textMatches[text] = await PostgresTextSearch.MatchAsync(s, _mailboxId, text, ct).ConfigureAwait(false);
            }

            var rows = await s.ListAsync(
                $"SELECT {MessageRows.Columns}{MessageRows.SentColumns} FROM messages m JOIN contents c ON c.id = m.content_id WHERE m.mailbox_id = $1 ORDER BY m.uid",
                r => (Message: MessageRows.ReadSearch(r), ContentId: r.GetInt64(10)),
                ct,
                _mailboxId).ConfigureAwait(false);
            var contentOf = rows.ToDictionary(r => r.Message.Uid, r => r.ContentId);
            var uids = new List<uint>();
            ulong highest = 0;
            foreach (var (message, _) in rows)
            {
                if (IsKnown(message.Uid) && SearchEvaluator.Matches(criteria, message, (c, m) => textMatches[c].Contains(contentOf[m.Uid]), now))
                {
                    uids.Add(message.Uid);
                    highest = Math.Max(highest, message.ModSeq);
                }
            }

            return StoreResult<SearchResult>.Success(new SearchResult(uids, highest));
        }, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<StoreResult<ExpungeResult>> ExpungeAsync(UidSet? uids, CancellationToken cancellationToken)
    {
        if (_readOnly)
        {
            return StoreResult<ExpungeResult>.Fail(StoreErrorCode.ReadOnly, "The mailbox is open read-only.");
        }

        var set = uids ?? UidSet.All;
        OwnWrite? written = null;
        var stamp = _store.Feed.Stamp(_mailboxId);
        var result = await _store.WriteAsync(async (s, ct) =>
        {
            // The account row, then the mailbox row (the order every writer takes them in), and the \Deleted rows
            // (flag bit 8) among the UIDs, in one round trip.
            long? account = null;
            MailboxRow? mailbox = null;
            var candidates = new List<(uint Uid, long ContentId, long Size, MessageFlags Flags)>();
            await s.QueryBatchAsync(
                ct,
                ("SELECT id FROM accounts WHERE id = $1 FOR UPDATE", [_accountId], r => account = r.GetInt64(0)),
                ($"SELECT {MailboxRow.Columns} FROM mailboxes WHERE id = $1 FOR UPDATE", [_mailboxId], r => mailbox = MailboxRow.Read(r)),
                (
                    "SELECT uid, content_id, size, flags FROM messages WHERE mailbox_id = $1 AND uid >= $2 AND uid <= $3 AND flags & 8 <> 0 ORDER BY uid",
                    [_mailboxId, (long)(set.IsEmpty ? 1 : set.Min), (long)(set.IsEmpty ? 0 : set.Max)],
                    r => candidates.Add(((uint)r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), (MessageFlags)r.GetInt32(3))))).ConfigureAwait(false);
            if (account is null || mailbox is null || mailbox.Noselect)
            {
                return StoreResult<ExpungeResult>.Fail(StoreErrorCode.NotFound, "The mailbox no longer exists.");
            }

            var victims = candidates.Where(v => set.Contains(v.Uid) && IsKnown(v.Uid)).ToList();

            // An unseen message gone changes what the view reports as unseen.
            var readUnseen = victims.Any(v => (v.Flags & MessageFlags.Seen) == 0);
            var (modSeq, unseen) = await MessageTransfer.RemoveAsync(_store, s, mailbox, [.. victims.Select(v => (v.Uid, v.ContentId, v.Size))], this, readUnseen, ct).ConfigureAwait(false);
            written = new OwnWrite(mailbox, modSeq, unseen);
            return StoreResult<ExpungeResult>.Success(new ExpungeResult([.. victims.Select(v => v.Uid)], modSeq));
        }, cancellationToken).ConfigureAwait(false);
        if (result.IsSuccess)
        {
            Forget(result.Value.Expunged, result.Value.HighestModSeq);
            Advance(written, stamp);
        }

        return result;
    }

    public ValueTask<StoreResult<CopyResult>> CopyAsync(UidSet uids, string destination, CancellationToken cancellationToken) => TransferAsync(uids, destination, move: false, cancellationToken);

    public ValueTask<StoreResult<CopyResult>> MoveAsync(UidSet uids, string destination, CancellationToken cancellationToken) =>
        _readOnly
            ? ValueTask.FromResult(StoreResult<CopyResult>.Fail(StoreErrorCode.ReadOnly, "The mailbox is open read-only."))
            : TransferAsync(uids, destination, move: true, cancellationToken);

    public async ValueTask<StoreResult<IReadOnlyList<uint>>> GetVanishedAsync(ulong sinceModSeq, CancellationToken cancellationToken) =>
        await _store.TryReadAsync(async (s, ct) =>
        {
            if (await PostgresMailStore.FindMailboxAsync(s, _mailboxId, ct).ConfigureAwait(false) is not { Noselect: false })
            {
                return StoreResult<IReadOnlyList<uint>>.Fail(StoreErrorCode.NotFound, "The mailbox no longer exists.");
            }

            IReadOnlyList<uint> list = await s.ListAsync(
                "SELECT uid FROM expunged WHERE mailbox_id = $1 AND modseq > $2 ORDER BY uid",
                r => (uint)r.GetInt64(0),
                ct,
                _mailboxId,
                (long)Math.Min(sinceModSeq, long.MaxValue)).ConfigureAwait(false);
            return StoreResult<IReadOnlyList<uint>>.Success(list);
        }, cancellationToken).ConfigureAwait(false);

    public async ValueTask<StoreResult<IReadOnlyList<uint>>> ClaimRecentAsync(CancellationToken cancellationToken)
    {
        var known = _known;
        var upTo = Math.Max(Snapshot.UidNext, known.Length > 0 ? known[^1] + 1 : 0);

        // RFC 3501 §2.3.2: the claim is one statement on the locked row, written only when it raises the floor; the
        // floor found there is the one that counts, whichever session or host raced us to it. A read-only view only
        // reads the floor.
        var floor = await _store.TryReadAsync(
            async (s, ct) =>
            {
                var first = _readOnly
                    ? await s.LongAsync("SELECT first_recent_uid FROM mailboxes WHERE id = $1 AND NOT noselect", ct, _mailboxId).ConfigureAwait(false)
                    : await s.LongAsync(
                        """
                        WITH old AS (SELECT id, first_recent_uid FROM mailboxes WHERE id = $1 AND NOT noselect FOR UPDATE),
                        raised AS (UPDATE mailboxes m SET first_recent_uid = $2 FROM old WHERE m.id = old.id AND old.first_recent_uid < $2)
                        SELECT first_recent_uid FROM old
                        """,
                        ct,
                        _mailboxId,
                        (long)upTo).ConfigureAwait(false);
                return first is null
                    ? StoreResult<uint>.Fail(StoreErrorCode.NotFound, "The mailbox no longer exists.")
                    : StoreResult<uint>.Success((uint)first.Value);
            },
            cancellationToken,
            singleStatement: true).ConfigureAwait(false);
        if (!floor.IsSuccess)
        {
            return StoreResult<IReadOnlyList<uint>>.Fail(floor.Error);
        }

        var from = Array.BinarySearch(known, floor.Value);
        IReadOnlyList<uint> recent = known[(from >= 0 ? from : ~from)..];
        return StoreResult<IReadOnlyList<uint>>.Success(recent);
    }

    /// <summary>Whether FETCH answers from rows the view keeps (for tests).</summary>
    internal bool HasLoadedRows => _rows.IsLoaded;

    /// <summary>The mailbox's row id (for tests).</summary>
    internal long MailboxId => _mailboxId;

    public async ValueTask WaitForChangesAsync(CancellationToken cancellationToken)
    {
        // A session in IDLE may wait for hours: the kept rows go, and the next large FETCH loads them again.
        _rows.Clear();
        if (_untaken.Count > 0)
        {
            return;
        }

        // Taken before the read: a reconnect of the feed after it may have lost the notification of a change.
        var reconnected = _store.Feed.Reconnected;
        var current = await _store.TryReadAsync(
            async (s, ct) => StoreResult<ulong>.Success(await PostgresMailStore.FindMailboxAsync(s, _mailboxId, ct).ConfigureAwait(false) is { Noselect: false } m ? m.HighestModSeq : ulong.MaxValue),
            cancellationToken,
            singleStatement: true).ConfigureAwait(false);

        // With the database away the session learns of it from its next poll; the wait goes on until the feed is back.
        if (current.IsSuccess && current.Value > _knownModSeq)
        {
            return;
        }

        await _store.Feed.WaitAsync(_mailboxId, _knownModSeq, reconnected, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask<StoreResult<MailboxChanges>> PollChangesAsync(CancellationToken cancellationToken) => PollChangesAsync(takeExpunges: true, cancellationToken);

    public async ValueTask<StoreResult<MailboxChanges>> PollChangesAsync(bool takeExpunges, CancellationToken cancellationToken)
    {
        // After a read or an own write that found the view's state current, a poll needs no query for as long as the
        // change feed announces nothing new of the mailbox (this host's writes are announced at their commit, other
        // hosts' within milliseconds) and stays connected, up to PostgresMailStoreOptions.ChangeFeedTrust.
        if (_verified is { } verified && (!takeExpunges || _untaken.Count == 0) && _store.Feed.IsSilent(_mailboxId, verified, _knownModSeq))
        {
            _ownModSeqs.Clear();
            return StoreResult<MailboxChanges>.Success(new MailboxChanges([], Snapshot, false));
        }

        var poll = new MailboxPoll(_store, _mailboxId, _readOnly);
        var state = CurrentState();
        var stamp = _store.Feed.Stamp(_mailboxId);
        Interlocked.Increment(ref _reading);
        StoreResult<MailboxChanges> result;
        try
        {
            // Most polls find nothing new: one statement on the mailbox row says so, without a transaction. When the
            // change feed has announced a change the view has not taken (this session's APPEND, say), that statement
            // would only say so too.
            var announced = _store.Feed.Listening && _store.Feed.LatestAnnounced(_mailboxId) > _knownModSeq;
            var row = announced ? StoreResult<MailboxRow?>.Success(null) : await _store.TryReadAsync(
                async (s, ct) => StoreResult<MailboxRow?>.Success(await PostgresMailStore.FindMailboxAsync(s, _mailboxId, ct).ConfigureAwait(false)),
                cancellationToken,
                singleStatement: true).ConfigureAwait(false);
            if (!announced && row.IsSuccess && MailboxPoll.IsUnchanged(row.Value, state, takeExpunges))
            {
                poll.Unchanged(state);
                result = StoreResult<MailboxChanges>.Success(new MailboxChanges([], state.Snapshot, false));
            }
            else
            {
                result = await _store.TryReadAsync((s, ct) => poll.RunAsync(s, state, takeExpunges, ct), cancellationToken, singleStatement: true).ConfigureAwait(false);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _reading);
        }

        if (result.IsSuccess && poll.Next is { } next)
        {
            _known = next.Known;
            _knownModSeq = next.KnownModSeq;
            _knownKeywordCount = next.KeywordCount;
            _untaken.Clear();
            _untaken.AddRange(next.Untaken);
            _ownModSeqs.Clear();
            Snapshot = next.Snapshot;
            _verified = stamp;
            if (poll.Dropped)
            {
                // What this view let go of may be held by no view now.
                _store.Retained.RequestRelease(_mailboxId);
            }
        }

        return result;
    }

    private MailboxPoll.State CurrentState() =>
        new(_known, _knownModSeq, _knownKeywordCount, [.. _untaken], new HashSet<ulong>(_ownModSeqs), Snapshot);

    /// <summary>
    /// Takes the view's own write (STORE, EXPUNGE) as its next state when the mailbox row, as the write found it under
    /// its lock, shows nothing the view has not taken: the write is then the only change since the view's last poll,
    /// and its MODSEQ, with the unseen count it read, is the mailbox's state at its commit. Otherwise the next poll
    /// reads what happened, as after any write.
    /// </summary>
    private void Advance(OwnWrite? write, FeedStamp stamp)
    {
        if (write is null || !MailboxPoll.IsUnchanged(write.Before, CurrentState(), takeExpunges: true))
        {
            // Another session's change came first: the next poll reads it, whatever the feed said so far.
            _verified = write is null ? _verified : null;
            return;
        }

        _knownModSeq = write.ModSeq;
        var unseen = write.Unseen ?? new UnseenCount(Snapshot.Unseen, Snapshot.FirstUnseenUid);
        Snapshot = Snapshot with { HighestModSeq = write.ModSeq, Uids = _known, Unseen = unseen.Count, FirstUnseenUid = unseen.First };
        _verified = stamp;
    }

    /// <summary>
    /// A read made after <paramref name="stamp"/> found <paramref name="mailbox"/>: when it shows nothing the view has
    /// not taken, the view is current as of the stamp; otherwise the next poll must read.
    /// </summary>
    private void Verified(MailboxRow? mailbox, FeedStamp stamp) =>
        _verified = mailbox is not null && MailboxPoll.IsUnchanged(mailbox, CurrentState(), takeExpunges: true) ? stamp : null;

    public ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            _store.Views.Remove(_mailboxId, this);
            _store.Retained.RequestRelease(_mailboxId);
        }

        return ValueTask.CompletedTask;
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
        var result = await _store.WriteAsync(async (s, ct) =>
        {
            await PostgresMailStore.LockAccountAsync(s, _accountId, ct).ConfigureAwait(false);
            var targetId = await s.LongAsync("SELECT id FROM mailboxes WHERE account_id = $1 AND name = $2", ct, _accountId, name.Value).ConfigureAwait(false);
            var (source, target) = await MessageTransfer.LockPairAsync(s, _mailboxId, targetId ?? _mailboxId, ct).ConfigureAwait(false);
            if (source is null || source.Noselect)
            {
                return StoreResult<CopyResult>.Fail(StoreErrorCode.NotFound, "The mailbox no longer exists.");
            }

            if (targetId is null || target is null || target.Noselect)
            {
                return StoreResult<CopyResult>.Fail(StoreErrorCode.NotFound, "No such mailbox.");
            }

            var transfer = new MessageTransfer(_store, s, source, target) { Include = IsKnown, Mover = this };
            var transferred = await transfer.RunAsync(uids, move, checkQuota: true, ct).ConfigureAwait(false);
            ownModSeq = move ? (ulong)(await s.LongAsync("SELECT highest_modseq FROM mailboxes WHERE id = $1", ct, _mailboxId).ConfigureAwait(false) ?? 0) : 0;
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
        _store.Retained.RequestRelease(_mailboxId);
    }
}
