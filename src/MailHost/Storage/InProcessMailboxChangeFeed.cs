using System.Collections.Concurrent;

namespace MailHost.Storage;

/// <summary>The change feed for stores used by one process: a signal per mailbox, no polling, no lost wake-ups.</summary>
public sealed class InProcessMailboxChangeFeed : IMailboxChangeFeed
{
    private readonly ConcurrentDictionary<long, Signal> _signals = new();

    /// <inheritdoc/>
    public void Publish(long mailboxId, ulong highestModSeq)
    {
        var signal = _signals.GetOrAdd(mailboxId, static _ => new Signal());
        TaskCompletionSource previous;
        lock (signal)
        {
            if (highestModSeq <= signal.Latest)
            {
                return;
            }

            signal.Latest = highestModSeq;
            previous = signal.Changed;
            signal.Changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        previous.TrySetResult();
    }

    /// <inheritdoc/>
    public async ValueTask WaitAsync(long mailboxId, ulong knownModSeq, CancellationToken cancellationToken)
    {
        var signal = _signals.GetOrAdd(mailboxId, static _ => new Signal());
        while (true)
        {
            Task changed;
            lock (signal)
            {
                if (signal.Latest > knownModSeq)
                {
                    return;
                }

                changed = signal.Changed.Task;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed class Signal
    {
        public ulong Latest { get; set; }

        public TaskCompletionSource Changed { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
