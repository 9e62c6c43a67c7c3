using MailHost.Storage;

namespace MailHost.Delivery;

/// <summary>
/// Hands messages for recipients outside the local domains to outbound delivery. Only authenticated submission
/// uses it; the MX endpoint never relays. When no implementation is registered, SMTP submission refuses external
/// recipients with <c>550 5.7.1 Relaying is not available on this server</c>.
/// </summary>
public interface IOutboundMailDelivery
{
    /// <summary>
    /// Queues one message for every recipient of <paramref name="envelope"/>. The task completes successfully only
    /// once the message and its envelope are durable (the session answers <c>250</c> right after); a failure is a
    /// value (<see cref="StoreErrorCode.TooBig"/> becomes <c>552 5.3.4</c>, <see cref="StoreErrorCode.OverQuota"/>
    /// <c>552 5.2.2</c>, anything else <c>451 4.3.0</c> so that the client tries again).
    /// </summary>
    /// <param name="envelope">Sender, recipients and DSN parameters.</param>
    /// <param name="content">The message with the server's Received header first; read to its end, not disposed.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    ValueTask<StoreResult> EnqueueAsync(OutboundEnvelope envelope, Stream content, CancellationToken cancellationToken);
}
