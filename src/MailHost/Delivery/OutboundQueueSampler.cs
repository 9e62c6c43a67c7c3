using System.Diagnostics.Metrics;
using MailHost.Connections;
using MailHost.Delivery.Queue;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MailHost.Delivery;

/// <summary>
/// Keeps the sample of the outbound queue that <c>mailhost.queue.depth</c> and <c>mailhost.queue.oldest_age</c>
/// report. An exporter observes gauges on its own thread and schedule (a Prometheus scrape, an OTLP push), where a
/// database query has no place: so the queue is summarized here, every <see cref="Interval"/> and after each delivery
/// round (<see cref="Refresh"/>), and the gauges read the last summary. Nothing is queried while nobody listens.
/// </summary>
internal sealed partial class OutboundQueueSampler(IOutboundQueueStore queue, TimeProvider time, ILogger<OutboundQueueSampler> logger) : BackgroundService
{
    /// <summary>How often the queue is summarized when no delivery round asks sooner.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    private readonly OutboundQueueSignal _refresh = new();
    private OutboundQueueSummary? _summary;
    private IDisposable? _registration;

    /// <summary>The last summary; null before the first one and after a failed one (the gauges then report nothing).</summary>
    public OutboundQueueSummary? Summary => Volatile.Read(ref _summary);

    /// <summary>Asks for a new summary now: the queue changed (several calls before it is taken count once).</summary>
    public void Refresh() => _refresh.Notify();

    /// <summary>Adds the gauges' sources for as long as the host runs: the meter outlives hosts, and must not report a stopped one.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _registration ??= MailHostMetrics.ObserveQueue(MeasureDepth, MeasureOldestAge);
        return base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _registration, null)?.Dispose();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        Interlocked.Exchange(ref _registration, null)?.Dispose();
        _refresh.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (MailHostMetrics.QueueDepth.Enabled || MailHostMetrics.QueueOldestAge.Enabled)
            {
                try
                {
                    await SampleAsync(stoppingToken).ConfigureAwait(false);
                    failing = false;
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
#pragma warning disable CA1031 // A queue that cannot be read now leaves the gauges empty, never the host without its sampler.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    // An old sample would claim a queue nobody can see: report nothing until the queue answers again.
                    Volatile.Write(ref _summary, null);
                    if (!failing)
                    {
                        LogSampleFailed(logger, ex);
                    }

                    failing = true;
                }
            }

            try
            {
                await _refresh.WaitAsync(Interval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Summarizes the queue now; the gauges report the result from their next observation.</summary>
    internal async Task SampleAsync(CancellationToken cancellationToken)
        => Volatile.Write(ref _summary, await queue.SummarizeAsync(cancellationToken).ConfigureAwait(false));

    private IEnumerable<Measurement<double>> MeasureDepth()
        => Summary is { } summary ? [new Measurement<double>(summary.Messages)] : [];

    /// <summary>The age grows between samples: it is taken from the clock when observed, not when sampled.</summary>
    private IEnumerable<Measurement<double>> MeasureOldestAge()
    {
        if (Summary is not { } summary)
        {
            return [];
        }

        var age = summary.OldestCreated is { } oldest ? (time.GetUtcNow() - oldest).TotalSeconds : 0;
        return [new Measurement<double>(Math.Max(age, 0))];
    }

    [LoggerMessage(3017, LogLevel.Warning, "The outbound queue could not be summarized for the queue metrics; they report nothing until it can")]
    private static partial void LogSampleFailed(ILogger logger, Exception exception);
}
