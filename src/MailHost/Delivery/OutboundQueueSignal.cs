namespace MailHost.Delivery;

/// <summary>Wakes the delivery worker when a message is queued or retried, so it need not wait for its next poll.</summary>
internal sealed class OutboundQueueSignal : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    /// <summary>Wakes a waiting worker (several calls before it wakes count once).</summary>
    public void Notify()
    {
        try
        {
            _semaphore.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    /// <summary>Waits for <see cref="Notify"/> or until <paramref name="timeout"/> passes on <paramref name="timeProvider"/>.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var signalled = _semaphore.WaitAsync(linked.Token);
        var delay = Task.Delay(timeout <= TimeSpan.Zero ? TimeSpan.Zero : timeout, timeProvider, linked.Token);
        await Task.WhenAny(signalled, delay).ConfigureAwait(false);
        await linked.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(signalled, delay).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // One of the two was cancelled on purpose; a cancelled caller is seen below.
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <inheritdoc />
    public void Dispose() => _semaphore.Dispose();
}
