using System.Runtime.CompilerServices;
using MailHost.Storage.Search;

namespace MailHost.Storage.InMemory;

/// <summary>A selected mailbox of <see cref="InMemoryMailStore"/>. Every member runs under the store's gate.</summary>
internal sealed class InMemoryMailboxView : IMailboxView, IOpenMailboxView
{
    private readonly InMemoryMailStore _store;
    private readonly MemoryAccountState _account;
    private readonly long _mailboxId;
    private readonly bool _readOnly;
    private readonly List<uint> _known;
    private readonly HashSet<ulong> _ownModSeqs = [];

    // Expunges by others that the session has not taken yet (RFC 9051 §7.5.1): still in _known, still readable.
    private readonly List<(uint Uid, ulong ModSeq)> _untaken = [];
    private ulong _knownModSeq;
    private int _knownKeywordCount;
    private bool _disposed;

    public InMemoryMailboxView(InMemoryMailStore store, MemoryAccountState account, MemoryMailboxState mailbox, bool readOnly)
    {
        _store = store;
        _account = account;
        _mailboxId = mailbox.Id;
        _readOnly = readOnly;
        _known = mailbox.Messages.Select(m => m.Uid).ToList();
        _knownModSeq = mailbox.HighestModSeq;
        _knownKeywordCount = mailbox.Keywords.Count;
        Snapshot = MakeSnapshot(mailbox);
        store.Views.Add(_mailboxId, this);
    }

    public MailboxSnapshot Snapshot { get; private set; }

    public async IAsyncEnumerable<MessageData> FetchAsync(UidSet uids, FetchOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uids);
        ArgumentNullException.ThrowIfNull(options);
        List<MessageData> batch;
        lock (_store.Gate)
        {
            var mailbox = Mailbox();
            // RFC 2180 §4.1.1: a message expunged by another session is still served whole until this view takes the expunge.
            batch = mailbox is null
                ? []
                : mailbox.Messages.Concat(mailbox.Retained.Values)
                    .Where(m => uids.Contains(m.Uid) && IsKnown(m.Uid) && (options.ChangedSince is not { } since || m.ModSeq > since))
                    .OrderBy(m => m.Uid)
                    .Select(m => new MessageData(m.Uid, m.Flags, m.Keywords, m.ModSeq, m.InternalDate, m.SaveDate, m.Content.Length, m.EmailId, m.ThreadId, options.IncludeIndex ? m.Content.Indexed.Index : null, m.Content))
                    .ToList();
        }

        foreach (var item in batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return item;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    public ValueTask<StoreResult<StoreFlagsResult>> StoreFlagsAsync(UidSet uids, FlagOperation operation, MessageFlags flags, IReadOnlyList<string> keywords, ulong? unchangedSince, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uids);
        if (_readOnly)
        {
            return Fail<StoreFlagsResult>(StoreErrorCode.ReadOnly, "The mailbox is open read-only.");
        }

        ulong highest;
        var states = new List<MessageFlagState>();
        var modified = new List<uint>();
        lock (_store.Gate)
        {
            var mailbox = Mailbox();
            if (mailbox is null)
            {
                return Fail<StoreFlagsResult>(StoreErrorCode.NotFound, "The mailbox no longer exists.");
            }

            var resolved = FlagChange.ResolveKeywords(keywords, mailbox.Keywords, _store.Limits.MaxKeywordsPerMailbox, out var created);
            if (!resolved.IsSuccess)
            {
                return ValueTask.FromResult(StoreResult<StoreFlagsResult>.Fail(resolved.Error));
            }

            mailbox.Keywords.AddRange(created);
            ulong modSeq = 0;
            foreach (var message in mailbox.Messages.Where(m => uids.Contains(m.Uid) && IsKnown(m.Uid)))
            {
                // RFC 7162 §3.1.3: UNCHANGEDSINCE leaves messages changed after it alone and reports them.
                if (unchangedSince is { } since && message.ModSeq > since)
                {
                    modified.Add(message.Uid);
                    continue;
                }

                var (newFlags, newKeywords) = FlagChange.Apply(operation, message.Flags, message.Keywords, flags, resolved.Value);
                var changed = newFlags != message.Flags || !FlagChange.SameKeywords(newKeywords, message.Keywords);
                if (changed)
                {
                    if (modSeq == 0)
                    {
                        modSeq = ++mailbox.HighestModSeq;
                        _ownModSeqs.Add(modSeq);
                    }

                    message.Flags = newFlags;
                    message.Keywords = newKeywords;
                    message.ModSeq = modSeq;
                }

                states.Add(new MessageFlagState(message.Uid, message.Flags, message.Keywords, message.ModSeq, changed));
            }

            highest = mailbox.HighestModSeq;
        }

        _store.Feed.Publish(_mailboxId, highest);
        return ValueTask.FromResult(StoreResult<StoreFlagsResult>.Success(new StoreFlagsResult(states, modified, highest)));
    }

    public ValueTask<StoreResult<SearchResult>> SearchAsync(SearchCriteria criteria, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        if (SearchEvaluator.Validate(criteria, _store.Limits).Error is { } error)
        {
            return ValueTask.FromResult(StoreResult<SearchResult>.Fail(error));
        }

        var now = _store.Time.GetUtcNow();
        lock (_store.Gate)
        {
            var mailbox = Mailbox();
            if (mailbox is null)
            {
                return Fail<SearchResult>(StoreErrorCode.NotFound, "The mailbox no longer exists.");
            }

            var uids = new List<uint>();
            ulong highest = 0;
            foreach (var message in mailbox.Messages.Where(m => IsKnown(m.Uid)))
            {
                var facts = new SearchMessage(message.Uid, message.Flags, message.Keywords, message.InternalDate, message.SaveDate, message.Content.Indexed.Index.SentDate, message.Content.Length, message.ModSeq, message.EmailId, message.ThreadId);
                var indexed = message.Content.Indexed;
                if (SearchEvaluator.Matches(criteria, facts, (c, _) => SearchText.Matches(c, indexed.HeaderText, indexed.BodyText, indexed.AddressText), now))
                {
                    uids.Add(message.Uid);
                    highest = Math.Max(highest, message.ModSeq);
                }
            }

            return ValueTask.FromResult(StoreResult<SearchResult>.Success(new SearchResult(uids, highest)));
        }
    }

    public ValueTask<StoreResult<ExpungeResult>> ExpungeAsync(UidSet? uids, CancellationToken cancellationToken)
    {
        if (_readOnly)
        {
            return Fail<ExpungeResult>(StoreErrorCode.ReadOnly, "The mailbox is open read-only.");
        }

        List<uint> expunged;
        ulong highest;
        lock (_store.Gate)
        {
            var mailbox = Mailbox();
            if (mailbox is null)
            {
                return Fail<ExpungeResult>(StoreErrorCode.NotFound, "The mailbox no longer exists.");
            }

            var victims = mailbox.Messages.Where(m => (m.Flags & MessageFlags.Deleted) != 0 && IsKnown(m.Uid) && (uids is null || uids.Contains(m.Uid))).ToList();
            expunged = Remove(mailbox, victims);
            highest = mailbox.HighestModSeq;
        }

        _store.Feed.Publish(_mailboxId, highest);
        return ValueTask.FromResult(StoreResult<ExpungeResult>.Success(new ExpungeResult(expunged, highest)));
    }

    public ValueTask<StoreResult<CopyResult>> CopyAsync(UidSet uids, string destination, CancellationToken cancellationToken) => CopyOrMove(uids, destination, move: false);

    public ValueTask<StoreResult<CopyResult>> MoveAsync(UidSet uids, string destination, CancellationToken cancellationToken)
    {
        if (_readOnly)
        {
            return Fail<CopyResult>(StoreErrorCode.ReadOnly, "The mailbox is open read-only.");
        }

        return CopyOrMove(uids, destination, move: true);
    }

    public ValueTask<StoreResult<IReadOnlyList<uint>>> GetVanishedAsync(ulong sinceModSeq, CancellationToken cancellationToken)
    {
        lock (_store.Gate)
        {
            var mailbox = Mailbox();
            if (mailbox is null)
            {
                return Fail<IReadOnlyList<uint>>(StoreErrorCode.NotFound, "The mailbox no longer exists.");
            }

            IReadOnlyList<uint> result = mailbox.Expunged.Where(e => e.ModSeq > sinceModSeq).Select(e => e.Uid).Order().ToList();
            return ValueTask.FromResult(StoreResult<IReadOnlyList<uint>>.Success(result));
        }
    }

    public ValueTask<StoreResult<IReadOnlyList<uint>>> ClaimRecentAsync(CancellationToken cancellationToken)
    {
        lock (_store.Gate)
        {
            var mailbox = Mailbox();
            if (mailbox is null)
            {
                return Fail<IReadOnlyList<uint>>(StoreErrorCode.NotFound, "The mailbox no longer exists.");
            }

            // Everything the snapshot holds from the unclaimed floor on is this session's; a read-write view moves
            // the floor past the snapshot so no later session sees the same messages as recent.
            var floor = mailbox.FirstRecentUid;
            IReadOnlyList<uint> recent = _known.Where(u => u >= floor).ToList();
            var upTo = Math.Max(Snapshot.UidNext, _known.Count > 0 ? _known[^1] + 1 : 0);
            if (!_readOnly && upTo > floor)
            {
                mailbox.FirstRecentUid = upTo;
            }

            return ValueTask.FromResult(StoreResult<IReadOnlyList<uint>>.Success(recent));
        }
    }

    public ValueTask WaitForChangesAsync(CancellationToken cancellationToken)
    {
        ulong known;
        lock (_store.Gate)
        {
            var mailbox = Mailbox();
            if (mailbox is null || mailbox.HighestModSeq > _knownModSeq || _untaken.Count > 0)
            {
                return ValueTask.CompletedTask;
            }

            known = _knownModSeq;
        }

        return _store.Feed.WaitAsync(_mailboxId, known, cancellationToken);
    }

    public ValueTask<StoreResult<MailboxChanges>> PollChangesAsync(CancellationToken cancellationToken) => PollChangesAsync(takeExpunges: true, cancellationToken);

    public ValueTask<StoreResult<MailboxChanges>> PollChangesAsync(bool takeExpunges, CancellationToken cancellationToken)
    {
        lock (_store.Gate)
        {
            var mailbox = Mailbox();
            if (mailbox is null)
            {
                return Fail<MailboxChanges>(StoreErrorCode.NotFound, "The mailbox no longer exists.");
            }

            var known = new HashSet<uint>(_known);
            var changes = new List<MailboxChange>();
            foreach (var (uid, modSeq) in mailbox.Expunged)
            {
                if (modSeq > _knownModSeq && known.Contains(uid))
                {
                    _untaken.Add((uid, modSeq));
                }
            }

            if (takeExpunges)
            {
                foreach (var (uid, modSeq) in _untaken)
                {
                    if (known.Remove(uid))
                    {
                        changes.Add(new MailboxChange(MailboxChangeKind.Expunged, uid, modSeq, MessageFlags.None, []));
                    }
                }

                _untaken.Clear();
            }

            foreach (var message in mailbox.Messages)
            {
                if (message.ModSeq <= _knownModSeq)
                {
                    continue;
                }

                if (known.Add(message.Uid))
                {
                    changes.Add(new MailboxChange(MailboxChangeKind.Appended, message.Uid, message.ModSeq, message.Flags, message.Keywords));
                }
                else if (!_ownModSeqs.Contains(message.ModSeq))
                {
                    changes.Add(new MailboxChange(MailboxChangeKind.FlagsChanged, message.Uid, message.ModSeq, message.Flags, message.Keywords));
                }
            }

            changes.Sort((a, b) => a.ModSeq.CompareTo(b.ModSeq));
            var dropped = known.Count < _known.Count;
            _known.Clear();
            _known.AddRange(known.Order());
            _knownModSeq = mailbox.HighestModSeq;
            _ownModSeqs.Clear();
            var keywordsChanged = mailbox.Keywords.Count != _knownKeywordCount;
            _knownKeywordCount = mailbox.Keywords.Count;
            Snapshot = MakeSnapshot(mailbox);
            if (dropped)
            {
                _store.ReleaseUnheld(mailbox);
            }

            return ValueTask.FromResult(StoreResult<MailboxChanges>.Success(new MailboxChanges(changes, Snapshot, keywordsChanged)));
        }
    }

    public ValueTask DisposeAsync()
    {
        lock (_store.Gate)
        {
            if (_disposed)
            {
                return ValueTask.CompletedTask;
            }

            _disposed = true;
            _store.Views.Remove(_mailboxId, this);
            if (Mailbox() is { } mailbox)
            {
                _store.ReleaseUnheld(mailbox);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Called by the store under its gate.</summary>
    bool IOpenMailboxView.Holds(uint uid) => IsKnown(uid);

    private ValueTask<StoreResult<CopyResult>> CopyOrMove(UidSet uids, string destination, bool move)
    {
        ArgumentNullException.ThrowIfNull(uids);
        var name = MailboxName.Normalize(destination, _store.Limits);
        if (!name.IsSuccess)
        {
            return ValueTask.FromResult(StoreResult<CopyResult>.Fail(name.Error));
        }

        CopyResult result;
        ulong sourceModSeq;
        ulong targetModSeq;
        long targetId;
        lock (_store.Gate)
        {
            var source = Mailbox();
            if (source is null)
            {
                return Fail<CopyResult>(StoreErrorCode.NotFound, "The mailbox no longer exists.");
            }

            if (!_account.Mailboxes.TryGetValue(name.Value, out var target) || target.Noselect)
            {
                return Fail<CopyResult>(StoreErrorCode.NotFound, "No such mailbox.");
            }

            var messages = source.Messages.Where(m => uids.Contains(m.Uid) && IsKnown(m.Uid)).ToList();
            var keywords = FlagChange.ResolveKeywords(messages.SelectMany(m => m.Keywords).Distinct(StringComparer.OrdinalIgnoreCase).ToList(), target.Keywords, _store.Limits.MaxKeywordsPerMailbox, out var created);
            if (!keywords.IsSuccess)
            {
                return ValueTask.FromResult(StoreResult<CopyResult>.Fail(keywords.Error));
            }

            if (!move && _store.CheckQuota(_account, messages.Sum(m => m.Content.Length), messages.Count) is { } quotaError)
            {
                return ValueTask.FromResult(StoreResult<CopyResult>.Fail(quotaError));
            }

            target.Keywords.AddRange(created);
            var now = _store.Time.GetUtcNow();
            var sourceUids = new List<uint>(messages.Count);
            var targetUids = new List<uint>(messages.Count);
            foreach (var message in messages)
            {
                var copy = new MemoryMessageState
                {
                    Uid = target.UidNext,
                    Content = message.Content,
                    Flags = message.Flags,
                    Keywords = message.Keywords,
                    ModSeq = ++target.HighestModSeq,
                    InternalDate = message.InternalDate,
                    SaveDate = now,
                    // RFC 8474 §5.1: a copy or move keeps the EMAILID and THREADID.
                    EmailId = message.EmailId,
                    ThreadId = message.ThreadId,
                };
                InMemoryMailStore.AddMessage(_account, target, copy);
                sourceUids.Add(message.Uid);
                targetUids.Add(copy.Uid);
            }

            if (move)
            {
                Remove(source, messages);
            }

            result = new CopyResult(target.UidValidity, sourceUids, targetUids);
            sourceModSeq = source.HighestModSeq;
            targetModSeq = target.HighestModSeq;
            targetId = target.Id;
        }

        _store.Feed.Publish(targetId, targetModSeq);
        if (move)
        {
            _store.Feed.Publish(_mailboxId, sourceModSeq);
        }

        return ValueTask.FromResult(StoreResult<CopyResult>.Success(result));
    }

    private List<uint> Remove(MemoryMailboxState mailbox, List<MemoryMessageState> victims)
    {
        var expunged = new List<uint>(victims.Count);
        if (victims.Count == 0)
        {
            return expunged;
        }

        var modSeq = ++mailbox.HighestModSeq;
        _ownModSeqs.Add(modSeq);
        var set = victims.ToHashSet();
        mailbox.Messages.RemoveAll(set.Contains);
        _store.Expunge(_account, mailbox, victims, this);
        foreach (var victim in victims)
        {
            mailbox.Expunged.Add((victim.Uid, modSeq));
            expunged.Add(victim.Uid);
            _known.Remove(victim.Uid);
        }

        Snapshot = Snapshot with { Uids = [.. _known] };
        return expunged;
    }

    private bool IsKnown(uint uid) => _known.BinarySearch(uid) >= 0;

    private MemoryMailboxState? Mailbox()
    {
        if (_account.Deleted)
        {
            return null;
        }

        foreach (var mailbox in _account.Mailboxes.Values)
        {
            if (mailbox.Id == _mailboxId)
            {
                return mailbox;
            }
        }

        return null;
    }

    private MailboxSnapshot MakeSnapshot(MemoryMailboxState mailbox)
    {
        var unseen = mailbox.Messages.Where(m => (m.Flags & MessageFlags.Seen) == 0).ToList();
        return new MailboxSnapshot(
            mailbox.Name,
            mailbox.UidValidity,
            mailbox.UidNext,
            _knownModSeq,
            [.. _known],
            [.. mailbox.Keywords],
            mailbox.Keywords.Count < _store.Limits.MaxKeywordsPerMailbox,
            unseen.Count,
            unseen.Count > 0 ? unseen[0].Uid : 0,
            _readOnly);
    }

    private static ValueTask<StoreResult<T>> Fail<T>(StoreErrorCode code, string message) => ValueTask.FromResult(StoreResult<T>.Fail(code, message));
}
