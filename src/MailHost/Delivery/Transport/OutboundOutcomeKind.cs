namespace MailHost.Delivery.Transport;

/// <summary>What one attempt did for one recipient.</summary>
internal enum OutboundOutcomeKind
{
    Delivered,
    TemporaryFailure,
    PermanentFailure,
}
