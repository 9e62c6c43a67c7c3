namespace MailHost.Storage.Postgres.Mail;

/// <summary>
/// Small messages' bytes kept in this host's memory by content address, least recently used first out, within a
/// byte budget (<see cref="PostgresMailStoreOptions.ContentCacheBytes"/>). Content is addressed by its SHA-256 and
/// never changes, so nothing kept here goes stale, whichever host writes or deletes: it only spares the database the
/// reads of FETCHes that come back to the same messages, as clients do when they read the headers of their newest mail
/// at every sync. It is filled by this host's writes (at their commit) and by the FETCH pages' read-ahead, and read by
/// that read-ahead only (<see cref="ContentReadAhead"/>), for messages the view holds while the page lasts: a message
/// gone from its mailbox is not read from here.
/// </summary>
internal sealed class ContentCache
{
    private readonly long _capacity;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries = new(StringComparer.Ordinal);

    // Most recently used first.
    private readonly LinkedList<Entry> _order = new();
    private long _bytes;
    private long _hits;
    private long _misses;

    public ContentCache(long capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _capacity = capacity;
    }

    /// <summary>Octets held now, never above the budget.</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Lookups that found the bytes here, since the start.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Lookups that did not, since the start.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>The bytes of <paramref name="address"/>, when kept; the caller must not change them.</summary>
    public bool TryGet(string address, out byte[] bytes)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(address, out var node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
                bytes = node.Value.Bytes;
                Interlocked.Increment(ref _hits);
                return true;
            }
        }

        Interlocked.Increment(ref _misses);
        bytes = [];
        return false;
    }

    /// <summary>
    /// Keeps <paramref name="bytes"/> as the content of <paramref name="address"/> (which must be their SHA-256 address),
    /// letting the least recently used go to stay within the budget. Nothing larger than
    /// <see cref="ContentReadAhead.MaxMessageSize"/> is kept: large messages are read chunk by chunk, never whole.
    /// </summary>
    public void Add(string address, byte[] bytes)
    {
        if (bytes.Length > ContentReadAhead.MaxMessageSize || bytes.Length > _capacity)
        {
            return;
        }

        lock (_lock)
        {
            if (_entries.TryGetValue(address, out var known))
            {
                _order.Remove(known);
                _order.AddFirst(known);
                return;
            }

            _entries[address] = _order.AddFirst(new Entry(address, bytes));
            _bytes += bytes.Length;
            while (_bytes > _capacity && _order.Last is { } oldest)
            {
                _order.RemoveLast();
                _entries.Remove(oldest.Value.Address);
                _bytes -= oldest.Value.Bytes.Length;
            }
        }
    }

    private readonly record struct Entry(string Address, byte[] Bytes);
}
