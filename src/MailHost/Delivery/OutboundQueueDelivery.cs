using MailHost.Delivery.Queue;
using MailHost.Storage;
using Microsoft.Extensions.Options;

namespace MailHost.Delivery;

/// <summary>
/// The <see cref="IOutboundMailDelivery"/> of the host: puts submitted mail for external recipients into the
/// durable <see cref="IOutboundQueueStore"/> (expiring after <see cref="OutboundDeliveryOptions.MaxAge"/>) and wakes
/// the delivery worker.
/// </summary>
internal sealed class OutboundQueueDelivery : IOutboundMailDelivery
{
    private readonly IOutboundQueueStore _queue;
    private readonly OutboundQueueSignal _signal;
    private readonly OutboundDeliveryOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Creates the delivery over a queue.</summary>
    public OutboundQueueDelivery(IOutboundQueueStore queue, OutboundQueueSignal signal, IOptions<OutboundDeliveryOptions> options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _queue = queue ?? throw new ArgumentNullException(nameof(queue));
        _signal = signal ?? throw new ArgumentNullException(nameof(signal));
        _options = options.Value;
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
    }

    /// <inheritdoc />
    public async ValueTask<StoreResult> EnqueueAsync(OutboundEnvelope envelope, Stream content, CancellationToken cancellationToken)
    {
        var queued = await _queue.EnqueueAsync(envelope, content, _time.GetUtcNow() + _options.MaxAge, cancellationToken).ConfigureAwait(false);
        if (!queued.IsSuccess)
        {
            return StoreResult.Fail(queued.Error);
        }

        _signal.Notify();
        return StoreResult.Success;
    }
}
