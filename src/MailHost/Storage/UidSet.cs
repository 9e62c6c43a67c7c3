using System.Collections;
using System.Globalization;
using System.Text;

namespace MailHost.Storage;

/// <summary>
/// An immutable set of UIDs held as sorted, non-overlapping, non-adjacent ranges, so <c>1:4294967295</c> costs
/// one range. The IMAP session turns sequence sets and <c>*</c> into this before it calls the store.
/// </summary>
public sealed class UidSet : IEnumerable<UidRange>
{
    private readonly UidRange[] _ranges;

    private UidSet(UidRange[] ranges) => _ranges = ranges;

    /// <summary>Every UID (1 to 4294967295).</summary>
    public static UidSet All { get; } = new([new UidRange(1, uint.MaxValue)]);

    /// <summary>No UID.</summary>
    public static UidSet Empty { get; } = new([]);

    /// <summary>The ranges, ascending.</summary>
    public IReadOnlyList<UidRange> Ranges => _ranges;

    /// <summary>Whether the set holds no UID.</summary>
    public bool IsEmpty => _ranges.Length == 0;

    /// <summary>Number of UIDs in the set.</summary>
    public long Count
    {
        get
        {
            long count = 0;
            foreach (var range in _ranges)
            {
                count += range.Count;
            }

            return count;
        }
    }

    /// <summary>The lowest UID, or 0 when empty.</summary>
    public uint Min => _ranges.Length == 0 ? 0 : _ranges[0].First;

    /// <summary>The highest UID, or 0 when empty.</summary>
    public uint Max => _ranges.Length == 0 ? 0 : _ranges[^1].Last;

    /// <summary>A set of one UID.</summary>
    public static UidSet Of(uint uid) => uid == 0 ? throw new ArgumentOutOfRangeException(nameof(uid), "UID 0 does not exist.") : new([new UidRange(uid, uid)]);

    /// <summary>The UIDs from <paramref name="first"/> to <paramref name="last"/> (either order, as IMAP allows <c>5:2</c>).</summary>
    public static UidSet Range(uint first, uint last)
    {
        if (first == 0 || last == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(first), "UID 0 does not exist.");
        }

        return first <= last ? new([new UidRange(first, last)]) : new([new UidRange(last, first)]);
    }

    /// <summary>A set from ranges in any order, overlapping or not.</summary>
    public static UidSet FromRanges(IEnumerable<UidRange> ranges)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        var list = new List<UidRange>();
        foreach (var r in ranges)
        {
            if (r.First == 0 || r.Last == 0)
            {
                throw new ArgumentOutOfRangeException(nameof(ranges), "UID 0 does not exist.");
            }

            list.Add(r.First <= r.Last ? r : new UidRange(r.Last, r.First));
        }

        list.Sort((a, b) => a.First.CompareTo(b.First));
        var merged = new List<UidRange>(list.Count);
        foreach (var r in list)
        {
            if (merged.Count > 0 && (ulong)merged[^1].Last + 1 >= r.First)
            {
                var last = merged[^1];
                merged[^1] = new UidRange(last.First, Math.Max(last.Last, r.Last));
            }
            else
            {
                merged.Add(r);
            }
        }

        return new UidSet([.. merged]);
    }

    /// <summary>A set from individual UIDs in any order.</summary>
    public static UidSet FromUids(IEnumerable<uint> uids)
    {
        ArgumentNullException.ThrowIfNull(uids);
        return FromRanges(uids.Select(u => new UidRange(u, u)));
    }

    /// <summary>Whether <paramref name="uid"/> is in the set (binary search, O(log ranges)).</summary>
    public bool Contains(uint uid)
    {
        int lo = 0, hi = _ranges.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var r = _ranges[mid];
            if (uid < r.First)
            {
                hi = mid - 1;
            }
            else if (uid > r.Last)
            {
                lo = mid + 1;
            }
            else
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Every UID in ascending order. Beware of enumerating <see cref="All"/>.</summary>
    public IEnumerable<uint> EnumerateUids()
    {
        foreach (var r in _ranges)
        {
            for (ulong u = r.First; u <= r.Last; u++)
            {
                yield return (uint)u;
            }
        }
    }

    /// <summary>The IMAP form, e.g. <c>1:3,7,9:12</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var r in _ranges)
        {
            if (sb.Length > 0)
            {
                sb.Append(',');
            }

            sb.Append(r.First.ToString(CultureInfo.InvariantCulture));
            if (r.Last != r.First)
            {
                sb.Append(':').Append(r.Last.ToString(CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }

    /// <inheritdoc/>
    public IEnumerator<UidRange> GetEnumerator() => ((IEnumerable<UidRange>)_ranges).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
