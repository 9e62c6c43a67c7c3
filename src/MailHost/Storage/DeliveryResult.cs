namespace MailHost.Storage;

/// <summary>A delivery's outcome per target, in the order given. Every stored copy is durable.</summary>
/// <param name="Targets">One entry per target.</param>
/// <param name="Size">The message size in octets.</param>
public sealed record DeliveryResult(IReadOnlyList<DeliveryTargetResult> Targets, long Size);
