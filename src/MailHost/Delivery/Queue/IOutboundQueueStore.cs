using MailHost.Storage;

namespace MailHost.Delivery.Queue;

/// <summary>
/// The durable outbound queue kept by the store. Several workers, in one process or in several hosts sharing the
/// store, take work through leases: a message is worked on by at most one lease holder at a time, and a lease
/// left behind by a crashed worker ends by itself. A message leaves the queue only when every recipient is
/// delivered, failed or expired and every notification it calls for has been made.
/// </summary>
/// <remarks>Failures are values; implementations are safe for concurrent use.</remarks>
public interface IOutboundQueueStore
{
    /// <summary>
    /// Queues a message. The content (read to its end, not disposed) and the envelope are durable when the call
    /// succeeds; every recipient is due at once.
    /// </summary>
    /// <param name="envelope">Sender, recipients and DSN parameters.</param>
    /// <param name="content">The message as it goes to the next hop.</param>
    /// <param name="expires">When pending recipients stop being retried.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new queue id.</returns>
    ValueTask<StoreResult<string>> EnqueueAsync(OutboundEnvelope envelope, Stream content, DateTimeOffset expires, CancellationToken cancellationToken);

    /// <summary>
    /// Claims the due message with the earliest <see cref="QueuedMessage.NextAttempt"/> whose lease is free or
    /// ended, leasing it to <paramref name="owner"/> for <paramref name="duration"/>; <see langword="null"/> when none is due.
    /// </summary>
    ValueTask<QueueLease?> ClaimAsync(string owner, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Extends a lease still held; <see langword="null"/> when it was lost (ended and taken, or the message removed).</summary>
    ValueTask<QueueLease?> RenewAsync(QueueLease lease, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>
    /// Records outcomes and releases the lease in one durable step. The message becomes due at its earliest
    /// <see cref="QueuedRecipient.NextAttempt"/> among pending recipients and final ones still unreported, and is removed with its content when every recipient is final and reported.
    /// <see cref="StoreErrorCode.NotFound"/> when the lease was lost: nothing is recorded.
    /// </summary>
    /// <returns>Whether the message left the queue.</returns>
    ValueTask<StoreResult<bool>> CompleteAsync(QueueLease lease, IReadOnlyList<QueueRecipientUpdate> updates, CancellationToken cancellationToken);

    /// <summary>Opens a queued message's content for reading, or <see langword="null"/> if it is gone. The caller disposes it.</summary>
    ValueTask<Stream?> OpenContentAsync(string messageId, CancellationToken cancellationToken);

    /// <summary>Every queued message, oldest first.</summary>
    ValueTask<IReadOnlyList<QueuedMessage>> ListAsync(CancellationToken cancellationToken);

    /// <summary>One queued message, or <see langword="null"/>.</summary>
    ValueTask<QueuedMessage?> GetAsync(string messageId, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the pending recipients of one message (or of every message when <paramref name="messageId"/> is
    /// <see langword="null"/>) due now. Returns how many messages were affected.
    /// </summary>
    ValueTask<int> RetryAsync(string? messageId, CancellationToken cancellationToken);

    /// <summary>Removes a message and its content without any notification; whether it was there.</summary>
    ValueTask<bool> RemoveAsync(string messageId, CancellationToken cancellationToken);

    /// <summary>When the next message becomes due (lease ends included), or <see langword="null"/> when the queue is empty.</summary>
    ValueTask<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken);

    /// <summary>
    /// How many messages are queued and when the oldest was queued, for the queue metrics, sampled every few seconds.
    /// The default lists the whole queue; a store should answer with one aggregate query instead.
    /// </summary>
    async ValueTask<OutboundQueueSummary> SummarizeAsync(CancellationToken cancellationToken)
    {
        var messages = await ListAsync(cancellationToken).ConfigureAwait(false);
        return new OutboundQueueSummary(messages.Count, messages.Count == 0 ? null : messages.Min(m => m.Created));
    }
}
