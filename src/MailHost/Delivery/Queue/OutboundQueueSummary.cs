namespace MailHost.Delivery.Queue;

/// <summary>The outbound queue at a glance (see <see cref="IOutboundQueueStore.SummarizeAsync"/>).</summary>
/// <param name="Messages">Messages in the queue, whatever the state of their recipients.</param>
/// <param name="OldestCreated">When the oldest of them was queued; <see langword="null"/> when the queue is empty.</param>
public sealed record OutboundQueueSummary(int Messages, DateTimeOffset? OldestCreated);
