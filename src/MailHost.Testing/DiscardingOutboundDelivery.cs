using MailHost.Delivery;
using MailHost.Storage;

namespace MailHost.Testing;

/// <summary>
/// Takes submitted mail for other domains and sends it nowhere: a test server must never relay to the internet.
/// The message is already recorded by the SMTP fault layer, which saw it go by.
/// </summary>
internal sealed class DiscardingOutboundDelivery : IOutboundMailDelivery
{
    public async ValueTask<StoreResult> EnqueueAsync(OutboundEnvelope envelope, Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);

        // The contract: read to the end before answering.
        await content.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        return StoreResult.Success;
    }
}
