using MailHost.Protocols.Imap;
using MailHost.Storage;

namespace MailHost.Imap;

/// <summary>
/// The message sequence numbers of one selected mailbox as the client knows them (RFC 9051 §2.3.1.2), and the
/// changes other sessions made that the client has not been told of yet. Pure: the session feeds it what the store
/// reported and writes the announcements it hands back.
/// </summary>
/// <remarks>
/// The store speaks UIDs; sequence number n is the n-th UID in <see cref="Uids"/>. Numbers change only when the
/// session announces them: an arrival when EXISTS goes out, an expunge when EXPUNGE or VANISHED does (RFC 9051
/// §7.5.1 forbids EXPUNGE during FETCH, STORE and SEARCH, so expunges wait here while arrivals and flag changes go out
/// with any command). Until then an expunged message keeps its number, and its flag changes are not reported.
/// </remarks>
internal sealed class ImapSequenceTracker(IEnumerable<uint> uids)
{
    private readonly List<uint> _uids = [.. uids];
    private readonly SortedSet<uint> _pendingExpunges = [];
    private readonly List<uint> _pendingArrivals = [];
    private readonly SortedDictionary<uint, MailboxChange> _pendingFlags = [];
    private readonly HashSet<uint> _recent = [];

    /// <summary>Every UID the client knows, ascending: UID n-1 has sequence number n.</summary>
    public IReadOnlyList<uint> Uids => _uids;

    /// <summary>How many messages the client knows of (its last EXISTS).</summary>
    public int Count => _uids.Count;

    /// <summary>
    /// The messages recent in this session (RFC 3501 §2.3.2, IMAP4rev1 only): claimed from the store on SELECT and
    /// as new messages are announced; they lose \Recent only when they leave the mailbox or the session leaves it.
    /// </summary>
    public IReadOnlyCollection<uint> Recent => _recent;

    /// <summary>Whether an expunge by another session waits to be announced.</summary>
    public bool HasPendingExpunges => _pendingExpunges.Count > 0;

    /// <summary>The sequence number of <paramref name="uid"/>, or 0 when the client does not know it.</summary>
    public uint SequenceOf(uint uid)
    {
        var index = _uids.BinarySearch(uid);
        return index < 0 ? 0 : (uint)(index + 1);
    }

    /// <summary>
    /// <see cref="SequenceOf(uint)"/> for UIDs taken in ascending order (a FETCH answer): <paramref name="next"/> is the
    /// index after the last UID found, where the next one usually is, so a long answer costs no search per message.
    /// </summary>
    public uint SequenceOf(uint uid, ref int next)
    {
        if (next < _uids.Count && _uids[next] == uid)
        {
            next++;
            return (uint)next;
        }

        var index = _uids.BinarySearch(uid);
        if (index < 0)
        {
            return 0;
        }

        next = index + 1;
        return (uint)next;
    }

    /// <summary>Whether <paramref name="uid"/> is recent in this session.</summary>
    public bool IsRecent(uint uid) => _recent.Count > 0 && _recent.Contains(uid);

    /// <summary>Adds the messages this session claimed as recent.</summary>
    public void AddRecent(IEnumerable<uint> uids) => _recent.UnionWith(uids);

    /// <summary>
    /// Resolves a sequence set (or a UID set with <paramref name="isUid"/>) to the UIDs the client knows. RFC 9051
    /// §6.4: a sequence number beyond the mailbox is an error (false), unless <paramref name="lenient"/>, where it
    /// matches nothing (SEARCH, as Dovecot and Cyrus do); UIDs that do not exist are simply left out.
    /// </summary>
    public bool TryResolve(ImapSequenceSet set, bool isUid, bool lenient, out UidSet uids)
    {
        ArgumentNullException.ThrowIfNull(set);
        uids = UidSet.Empty;
        if (isUid)
        {
            if (_uids.Count == 0)
            {
                return true;
            }

            var largest = _uids[^1];
            var found = new List<uint>();
            foreach (var range in set.Ranges)
            {
                var (low, high) = range.Resolve(largest);
                var start = _uids.BinarySearch(low);
                start = start < 0 ? ~start : start;
                for (var i = start; i < _uids.Count && _uids[i] <= high; i++)
                {
                    found.Add(_uids[i]);
                }
            }

            uids = UidSet.FromUids(found);
            return true;
        }

        var ranges = new List<UidRange>();
        foreach (var range in set.Ranges)
        {
            if (_uids.Count == 0)
            {
                if (lenient)
                {
                    continue;
                }

                return false;
            }

            var (low, high) = range.Resolve((uint)_uids.Count);
            if (low == 0 || high > _uids.Count)
            {
                if (!lenient)
                {
                    return false;
                }

                low = Math.Max(low, 1);
                high = Math.Min(high, (uint)_uids.Count);
            }

            for (var n = low; n <= high; n++)
            {
                ranges.Add(new UidRange(_uids[(int)n - 1], _uids[(int)n - 1]));
            }
        }

        uids = UidSet.FromRanges(ranges);
        return true;
    }

    /// <summary>
    /// Folds changes the store reported into what waits to be announced: a new UID becomes an arrival, an expunge of
    /// a known message waits (one of a message not yet announced just cancels its arrival), and a flag change
    /// replaces any earlier one for the same message.
    /// </summary>
    public void Fold(IEnumerable<MailboxChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        foreach (var change in changes)
        {
            switch (change.Kind)
            {
                case MailboxChangeKind.Appended:
                    if (SequenceOf(change.Uid) == 0 && !_pendingArrivals.Contains(change.Uid))
                    {
                        _pendingArrivals.Add(change.Uid);
                    }

                    break;
                case MailboxChangeKind.Expunged:
                    if (!_pendingArrivals.Remove(change.Uid) && SequenceOf(change.Uid) > 0)
                    {
                        _pendingExpunges.Add(change.Uid);
                    }

                    _pendingFlags.Remove(change.Uid);
                    break;
                case MailboxChangeKind.FlagsChanged:
                    _pendingFlags[change.Uid] = change;
                    break;
            }
        }
    }

    /// <summary>Forgets another session's flag change for <paramref name="uid"/>: this session has just reported newer flags.</summary>
    public void Supersede(uint uid) => _pendingFlags.Remove(uid);

    /// <summary>
    /// Removes the known messages among <paramref name="uids"/> from the sequence, as the session announces them
    /// gone. The answer holds their UIDs ascending (for VANISHED) and their sequence numbers in the order EXPUNGE
    /// responses must carry them: highest first, so each number is valid when it is sent (RFC 9051 §7.5.1).
    /// </summary>
    public ImapExpungeAnnouncement Expunge(IEnumerable<uint> uids)
    {
        ArgumentNullException.ThrowIfNull(uids);
        var known = uids.Where(u => SequenceOf(u) > 0).Distinct().Order().ToList();
        var numbers = new List<uint>(known.Count);
        for (var i = known.Count - 1; i >= 0; i--)
        {
            var uid = known[i];
            var seq = SequenceOf(uid);
            numbers.Add(seq);
            _uids.RemoveAt((int)seq - 1);
            _pendingExpunges.Remove(uid);
            _pendingFlags.Remove(uid);
            _recent.Remove(uid);
        }

        return new ImapExpungeAnnouncement(known, numbers);
    }

    /// <summary><see cref="Expunge"/> of every expunge by other sessions that waits to be announced.</summary>
    public ImapExpungeAnnouncement TakePendingExpunges() => Expunge([.. _pendingExpunges]);

    /// <summary>Adds the waiting arrivals to the sequence, in UID order; returns them (empty when none), for EXISTS.</summary>
    public IReadOnlyList<uint> TakeArrivals()
    {
        if (_pendingArrivals.Count == 0)
        {
            return [];
        }

        _pendingArrivals.Sort();
        List<uint> arrived = [.. _pendingArrivals];
        _uids.AddRange(arrived);
        _pendingArrivals.Clear();
        return arrived;
    }

    /// <summary>
    /// The waiting flag changes that may be reported now, with the messages' sequence numbers, in UID order: those of
    /// messages the client knows and that are not waiting to be announced as expunged. Every waiting change is
    /// dropped: a later poll reports any newer one.
    /// </summary>
    public IReadOnlyList<(uint SequenceNumber, MailboxChange Change)> TakeFlagChanges()
    {
        if (_pendingFlags.Count == 0)
        {
            return [];
        }

        var report = new List<(uint, MailboxChange)>(_pendingFlags.Count);
        foreach (var (uid, change) in _pendingFlags)
        {
            var seq = SequenceOf(uid);
            if (seq > 0 && !_pendingExpunges.Contains(uid))
            {
                report.Add((seq, change));
            }
        }

        _pendingFlags.Clear();
        return report;
    }
}
