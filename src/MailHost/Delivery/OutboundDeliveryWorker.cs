using MailHost.Delivery.Queue;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MailHost.Delivery;

/// <summary>
/// The background service that drains the outbound queue: it works on due messages with bounded concurrency,
/// then sleeps until the next message is due, the next poll (other hosts may share the queue), or a new message.
/// After each round it asks <paramref name="sampler"/> for a new sample of the queue metrics.
/// </summary>
internal sealed partial class OutboundDeliveryWorker(
    OutboundDeliveryProcessor processor,
    IOutboundQueueStore queue,
    OutboundQueueSignal signal,
    OutboundDeliveryOptions options,
    TimeProvider time,
    ILogger<OutboundDeliveryWorker> logger,
    OutboundQueueSampler? sampler = null)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = options.PollInterval;
            try
            {
                var handled = await processor.RunDueAsync(stoppingToken).ConfigureAwait(false);
                if (handled > 0)
                {
                    sampler?.Refresh();
                }

                if (await queue.NextDueAsync(stoppingToken).ConfigureAwait(false) is { } next)
                {
                    var until = next - time.GetUtcNow();
                    wait = until < wait ? until : wait;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The worker's error boundary: a failing round is logged and retried, never the end of delivery.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogRoundFailed(logger, ex);
            }

            try
            {
                await signal.WaitAsync(wait < TimeSpan.Zero ? TimeSpan.Zero : wait, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(3010, LogLevel.Error, "An outbound delivery round failed; retrying after the poll interval")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}
