using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using MailHost.Connections;

namespace MailHost.Server.Administration.Console;

/// <summary>
/// Reads the <c>MailHost</c> meter in-process for the dashboard, so the console shows connection and message
/// numbers without a metrics exporter. It listens from host start (a hosted service), sums counters by one tag each
/// and samples the observable queue gauges on demand. Instruments that do not exist are simply absent.
/// </summary>
/// <remarks>
/// The meter is process-wide: when one process runs several hosts (tests), the numbers are those of all of them.
/// </remarks>
internal sealed class DashboardCounters(TimeProvider time) : IHostedService, IDisposable
{
    // Instrument name → the tag whose value splits it ("" for a plain total).
    private static readonly Dictionary<string, string> Tracked = new(StringComparer.Ordinal)
    {
        ["mailhost.connections.active"] = "protocol",
        ["mailhost.messages.received"] = "endpoint",
        ["mailhost.messages.delivered"] = "route",
        ["mailhost.messages.deferred"] = "",
        ["mailhost.messages.bounced"] = "reason",
        ["mailhost.auth.attempts"] = "outcome",
    };

    private const string QueueDepthInstrument = "mailhost.queue.depth";
    private const string QueueAgeInstrument = "mailhost.queue.oldest_age";

    private readonly ConcurrentDictionary<(string Instrument, string Tag), long> _sums = new();
    private readonly Lock _gaugeLock = new();
    private MeterListener? _listener;
    private double? _queueDepth;
    private double? _queueOldestAge;

    /// <summary>When the listener started, which is when the totals start.</summary>
    public DateTimeOffset Started { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, meterListener) =>
            {
                if (instrument.Meter.Name == MailHostMetrics.MeterName
                    && (Tracked.ContainsKey(instrument.Name) || instrument.Name is QueueDepthInstrument or QueueAgeInstrument))
                {
                    meterListener.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>(OnMeasurement);
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => OnMeasurement(instrument, value, tags, null));
        listener.SetMeasurementEventCallback<double>(OnGauge);
        Started = time.GetUtcNow();
        listener.Start();
        _listener = listener;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => Interlocked.Exchange(ref _listener, null)?.Dispose();

    /// <summary>The numbers now; the queue gauges are sampled for this call.</summary>
    public DashboardSnapshot Snapshot()
    {
        double? depth, age;
        lock (_gaugeLock)
        {
            _queueDepth = null;
            _queueOldestAge = null;
            // Runs the gauges' callbacks on this thread, which report through OnGauge; they read cached samples only.
            _listener?.RecordObservableInstruments();
            depth = _queueDepth;
            age = _queueOldestAge;
        }

        return new DashboardSnapshot(
            By("mailhost.connections.active"),
            By("mailhost.messages.received"),
            By("mailhost.messages.delivered"),
            By("mailhost.messages.deferred").Values.Sum(),
            By("mailhost.messages.bounced"),
            By("mailhost.auth.attempts"),
            depth,
            age is { } seconds ? TimeSpan.FromSeconds(seconds) : null);
    }

    private Dictionary<string, long> By(string instrument) => _sums
        .Where(pair => pair.Key.Instrument == instrument)
        .ToDictionary(pair => pair.Key.Tag, pair => pair.Value, StringComparer.Ordinal);

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (!Tracked.TryGetValue(instrument.Name, out var tagName))
        {
            return;
        }

        var tag = "";
        if (tagName.Length > 0)
        {
            foreach (var pair in tags)
            {
                if (pair.Key == tagName)
                {
                    tag = pair.Value?.ToString() ?? "";
                    break;
                }
            }
        }

        _sums.AddOrUpdate((instrument.Name, tag), value, (_, sum) => sum + value);
    }

    // Several queue workers may report (one per host in the process): the depths add up, the oldest age is the largest.
    private void OnGauge(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (instrument.Name == QueueDepthInstrument)
        {
            _queueDepth = (_queueDepth ?? 0) + value;
        }
        else if (instrument.Name == QueueAgeInstrument)
        {
            _queueOldestAge = Math.Max(_queueOldestAge ?? 0, value);
        }
    }
}
