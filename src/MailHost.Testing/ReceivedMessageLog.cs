using System.Globalization;

namespace MailHost.Testing;

/// <summary>
/// Every message the server accepted, in order, and the waiting for new ones. Each message is handed out once by
/// <see cref="WaitAsync"/>, so a message that arrived before the wait began is not missed and not returned twice.
/// </summary>
internal sealed class ReceivedMessageLog
{
    private readonly Lock _lock = new();
    private readonly List<ReceivedMessage> _messages = [];
    private readonly List<bool> _handedOut = [];
    private TaskCompletionSource _arrived = NewSignal();

    /// <summary>A snapshot of every accepted message, oldest first.</summary>
    public IReadOnlyList<ReceivedMessage> Snapshot()
    {
        lock (_lock)
        {
            return [.. _messages];
        }
    }

    public void Add(ReceivedMessage message)
    {
        TaskCompletionSource arrived;
        lock (_lock)
        {
            _messages.Add(message);
            _handedOut.Add(false);
            arrived = _arrived;
            _arrived = NewSignal();
        }

        arrived.TrySetResult();
    }

    /// <summary>
    /// The oldest message not handed out before that matches <paramref name="predicate"/>, waiting for it up to
    /// <paramref name="timeout"/>.
    /// </summary>
    /// <exception cref="TimeoutException">No such message arrived in time; the message says what did arrive.</exception>
    public async Task<ReceivedMessage> WaitAsync(TimeSpan timeout, Func<ReceivedMessage, bool>? predicate, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        var deadline = timeProvider.GetTimestamp();
        while (true)
        {
            Task arrived;
            lock (_lock)
            {
                for (var i = 0; i < _messages.Count; i++)
                {
                    if (!_handedOut[i] && (predicate is null || predicate(_messages[i])))
                    {
                        _handedOut[i] = true;
                        return _messages[i];
                    }
                }

                arrived = _arrived.Task;
            }

            var remaining = timeout - timeProvider.GetElapsedTime(deadline);
            if (remaining <= TimeSpan.Zero)
            {
                throw new TimeoutException(DescribeTimeout(timeout, predicate is not null));
            }

            try
            {
                await arrived.WaitAsync(remaining, timeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException(DescribeTimeout(timeout, predicate is not null));
            }
        }
    }

    private string DescribeTimeout(TimeSpan timeout, bool filtered)
    {
        lock (_lock)
        {
            var seconds = timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
            var wanted = filtered ? "a matching message" : "a new message";
            var received = _messages.Count == 0
                ? "No message has been received at all: is the application sending to this server's SMTP port, and did it fail first?"
                : $"Received so far ({_messages.Count}): {string.Join("; ", _messages.Select(m => m.ToString()))}.";
            return $"The mail test server waited {seconds} s for {wanted}, and none arrived. {received}";
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
