namespace MailHost.Delivery.Queue;

/// <summary>Where one recipient of a queued message stands.</summary>
public enum QueueRecipientState
{
    /// <summary>Not delivered yet; tried again at <see cref="QueuedRecipient.NextAttempt"/>.</summary>
    Pending = 0,

    /// <summary>The next hop accepted the message for this recipient (final).</summary>
    Delivered = 1,

    /// <summary>The next hop refused permanently (5xx) or no route exists (final).</summary>
    Failed = 2,

    /// <summary>Temporary failures lasted past the message's expiry (final).</summary>
    Expired = 3,
}
