using System.Collections.Concurrent;
using System.Net;

namespace MailHost.Connections;

/// <summary>Counts open connections of one endpoint, in total and per client address, without locks.</summary>
internal sealed class ConnectionCounter
{
    private readonly ConcurrentDictionary<IPAddress, int> _perAddress = new();
    private int _total;

    public int Total => Volatile.Read(ref _total);

    /// <summary>Takes a slot; returns false (and takes nothing) when a limit (0 = none) would be passed.</summary>
    public bool TryAcquire(IPAddress? address, int maxTotal, int maxPerAddress, out bool totalExceeded)
    {
        totalExceeded = false;
        if (Interlocked.Increment(ref _total) > maxTotal && maxTotal > 0)
        {
            Interlocked.Decrement(ref _total);
            totalExceeded = true;
            return false;
        }

        if (address is null)
        {
            return true;
        }

        var count = _perAddress.AddOrUpdate(address, 1, static (_, n) => n + 1);
        if (maxPerAddress > 0 && count > maxPerAddress)
        {
            Release(address);
            return false;
        }

        return true;
    }

    public void Release(IPAddress? address)
    {
        if (address is not null)
        {
            while (_perAddress.TryGetValue(address, out var current))
            {
                if (current <= 1)
                {
                    if (_perAddress.TryRemove(new KeyValuePair<IPAddress, int>(address, current)))
                    {
                        break;
                    }
                }
                else if (_perAddress.TryUpdate(address, current - 1, current))
                {
                    break;
                }
            }
        }

        Interlocked.Decrement(ref _total);
    }

    public int CountFor(IPAddress address) => _perAddress.GetValueOrDefault(address);
}
