using System.Collections.Concurrent;
using System.Net;

namespace MailHost.Connections;

/// <summary>
/// Counts slots of one endpoint (open connections, or TLS handshakes in progress), in total and per client address
/// range (<see cref="ClientAddressRange"/>), without locks.
/// </summary>
internal sealed class ConnectionCounter
{
    private readonly ConcurrentDictionary<IPNetwork, int> _perRange = new();
    private int _total;

    public int Total => Volatile.Read(ref _total);

    /// <summary>
    /// Takes a slot; returns false (and takes nothing) when a limit (0 = none) would be passed. The range is checked
    /// first, so that a range over its own limit never holds, even for a moment, a slot another client needs.
    /// </summary>
    public bool TryAcquire(IPNetwork? range, int maxTotal, int maxPerRange, out bool totalExceeded)
    {
        totalExceeded = false;
        if (range is { } key)
        {
            var count = _perRange.AddOrUpdate(key, 1, static (_, n) => n + 1);
            if (maxPerRange > 0 && count > maxPerRange)
            {
                ReleaseRange(key);
                return false;
            }
        }

        if (Interlocked.Increment(ref _total) > maxTotal && maxTotal > 0)
        {
            Interlocked.Decrement(ref _total);
            if (range is { } taken)
            {
                ReleaseRange(taken);
            }

            totalExceeded = true;
            return false;
        }

        return true;
    }

    /// <summary>Whether <see cref="TryAcquire"/> would succeed now; takes nothing (the answer may change at once).</summary>
    public bool HasRoom(IPNetwork? range, int maxTotal, int maxPerRange)
        => (maxTotal <= 0 || Total < maxTotal)
            && (maxPerRange <= 0 || range is not { } key || _perRange.GetValueOrDefault(key) < maxPerRange);

    public void Release(IPNetwork? range)
    {
        if (range is { } key)
        {
            ReleaseRange(key);
        }

        Interlocked.Decrement(ref _total);
    }

    public int CountFor(IPNetwork range) => _perRange.GetValueOrDefault(range);

    private void ReleaseRange(IPNetwork range)
    {
        while (_perRange.TryGetValue(range, out var current))
        {
            if (current <= 1)
            {
                if (_perRange.TryRemove(new KeyValuePair<IPNetwork, int>(range, current)))
                {
                    return;
                }
            }
            else if (_perRange.TryUpdate(range, current - 1, current))
            {
                return;
            }
        }
    }
}
