using System.Collections.Concurrent;
using MailHost.Delivery;
using MailHost.Storage;

namespace MailHost.IntegrationTests.Smtp;

/// <summary>An outbound delivery for tests: keeps what it was given, or fails as told.</summary>
public sealed class RecordingOutboundDelivery : IOutboundMailDelivery
{
    public ConcurrentQueue<(OutboundEnvelope Envelope, byte[] Content)> Queued { get; } = new();

    public StoreError? FailWith { get; set; }

    public async ValueTask<StoreResult> EnqueueAsync(OutboundEnvelope envelope, Stream content, CancellationToken cancellationToken)
    {
        using var copy = new MemoryStream();
        await content.CopyToAsync(copy, cancellationToken);
        if (FailWith is not null)
        {
            return StoreResult.Fail(FailWith);
        }

        Queued.Enqueue((envelope, copy.ToArray()));
        return StoreResult.Success;
    }
}
