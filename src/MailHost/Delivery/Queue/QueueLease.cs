namespace MailHost.Delivery.Queue;

/// <summary>
/// A worker's exclusive, time-limited claim on one queued message. Only the holder of the current token may
/// record outcomes; once <see cref="Until"/> passes, another worker may claim the message.
/// </summary>
/// <param name="Token">The lease's unique token.</param>
/// <param name="Owner">The worker's name (shown by the admin).</param>
/// <param name="Until">When the lease ends unless renewed.</param>
/// <param name="Message">The message as it was when claimed.</param>
public sealed record QueueLease(string Token, string Owner, DateTimeOffset Until, QueuedMessage Message);
