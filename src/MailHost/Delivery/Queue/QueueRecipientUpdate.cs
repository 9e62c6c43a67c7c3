namespace MailHost.Delivery.Queue;

/// <summary>The outcome of work on one recipient, recorded with <see cref="IOutboundQueueStore.CompleteAsync"/>.</summary>
/// <param name="RecipientId">The recipient's id.</param>
/// <param name="State">The new state.</param>
/// <param name="Reported">Whether the notification this state calls for is made (or none is needed).</param>
/// <param name="Attempts">The attempt count after this work.</param>
/// <param name="NextAttempt">When a pending recipient is next due.</param>
/// <param name="LastReply">The reply or failure text.</param>
/// <param name="RemoteMta">The host that gave the reply, or <see langword="null"/>.</param>
public sealed record QueueRecipientUpdate(
    long RecipientId,
    QueueRecipientState State,
    bool Reported,
    int Attempts,
    DateTimeOffset NextAttempt,
    string? LastReply,
    string? RemoteMta);
