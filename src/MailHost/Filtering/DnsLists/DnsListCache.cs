using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace MailHost.Filtering.DnsLists;

/// <summary>
/// The verdicts on recent client addresses, so a client that connects again (every message of a busy sender) costs
/// the lists no new queries: lists ask for this, their free use is limited by query volume. Entries expire after a
/// fixed lifetime; past the size limit the oldest go first. Safe for concurrent use.
/// </summary>
internal sealed class DnsListCache
{
    private readonly Lock _lock = new();
    private readonly Dictionary<IPAddress, LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _byAge = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _lifetime;
    private readonly int _capacity;

    public DnsListCache(TimeProvider time, TimeSpan lifetime, int capacity)
    {
        _time = time;
        _lifetime = lifetime;
        _capacity = capacity;
    }

    /// <summary>Addresses held (expired ones included until they are next touched).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>The verdict on <paramref name="address"/> if one was added less than the lifetime ago.</summary>
    public bool TryGet(IPAddress address, [NotNullWhen(true)] out InboundFilterVerdict? verdict)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            if (_entries.TryGetValue(address, out var node))
            {
                if (node.Value.Expires > now)
                {
                    verdict = node.Value.Verdict;
                    return true;
                }

                Remove(node);
            }
        }

        verdict = null;
        return false;
    }

    /// <summary>Keeps <paramref name="verdict"/> for <paramref name="address"/>; nothing when the lifetime is zero.</summary>
    public void Add(IPAddress address, InboundFilterVerdict verdict)
    {
        if (_lifetime <= TimeSpan.Zero)
        {
            return;
        }

        var now = _time.GetUtcNow();
        lock (_lock)
        {
            if (_entries.TryGetValue(address, out var old))
            {
                Remove(old);
            }

            _entries[address] = _byAge.AddLast(new Entry(address, now + _lifetime, verdict));

            // Every entry lives as long, so the oldest are also the first to expire: drop those, then any over the limit.
            while (_byAge.First is { } first && (first.Value.Expires <= now || _entries.Count > _capacity))
            {
                Remove(first);
            }
        }
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        _byAge.Remove(node);
        _entries.Remove(node.Value.Address);
    }

    private sealed record Entry(IPAddress Address, DateTimeOffset Expires, InboundFilterVerdict Verdict);
}
