using System.Collections.Concurrent;
using MailHost.Storage;

namespace MailHost.Pop3;

/// <summary>
/// The maildrop lock of RFC 1939 §8 held in this process: enough for one host, or for hosts whose store offers no
/// shared lock (a shared store registers its own <see cref="IMaildropLocks"/>).
/// </summary>
internal sealed class Pop3MaildropLocks : IMaildropLocks
{
    private readonly ConcurrentDictionary<string, object> _held = new(StringComparer.Ordinal);

    public ValueTask<IAsyncDisposable?> TryAcquireAsync(string accountName, CancellationToken cancellationToken)
    {
        var owner = new object();
        return ValueTask.FromResult<IAsyncDisposable?>(_held.TryAdd(accountName, owner) ? new Handle(this, accountName, owner) : null);
    }

    private sealed class Handle(Pop3MaildropLocks locks, string accountName, object owner) : IAsyncDisposable
    {
        private int _disposed;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                locks._held.TryRemove(new KeyValuePair<string, object>(accountName, owner));
            }

            return ValueTask.CompletedTask;
        }
    }
}
