namespace MailHost.Storage;

/// <summary>What happened to one target of a delivery: stored (with its UID) or refused (with the reason).</summary>
/// <param name="Target">The target.</param>
/// <param name="Result">The stored message, or <see langword="null"/> when refused.</param>
/// <param name="Error">Why the target refused (over quota, no such mailbox), or <see langword="null"/>.</param>
public sealed record DeliveryTargetResult(DeliveryTarget Target, AppendResult? Result, StoreError? Error);
