using System.Collections.Concurrent;

namespace MailHost.Pop3;

/// <summary>
/// The exclusive maildrop lock of RFC 1939 §8 ("the POP3 server acquires an exclusive-access lock on the
/// maildrop"): one POP3 session per account at a time; a second gets <c>-ERR [IN-USE]</c> (RFC 3206 §4).
/// </summary>
/// <remarks>The lock is held in this process. Hosts that share one store must route an account's POP3
/// sessions to one host until the store offers a shared lock.</remarks>
internal sealed class Pop3MaildropLocks
{
    private readonly ConcurrentDictionary<string, object> _held = new(StringComparer.Ordinal);

    /// <summary>Takes the lock of <paramref name="accountName"/>; the returned handle releases it. Null when held elsewhere.</summary>
    public IDisposable? TryAcquire(string accountName)
    {
        var owner = new object();
        return _held.TryAdd(accountName, owner) ? new Handle(this, accountName, owner) : null;
    }

    private sealed class Handle(Pop3MaildropLocks locks, string accountName, object owner) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                locks._held.TryRemove(new KeyValuePair<string, object>(accountName, owner));
            }
        }
    }
}
