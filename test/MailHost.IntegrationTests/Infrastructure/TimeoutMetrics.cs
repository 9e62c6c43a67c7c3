using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using MailHost.Connections;

namespace MailHost.IntegrationTests.Infrastructure;

/// <summary>Records the reasons of <c>mailhost.connections.timed_out</c> for one endpoint (named uniquely per test).</summary>
public sealed class TimeoutMetrics : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<string> _reasons = new();

    public TimeoutMetrics(string endpoint)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MailHostMetrics.MeterName && instrument.Name == "mailhost.connections.timed_out")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? name = null, reason = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "endpoint")
                {
                    name = tag.Value as string;
                }
                else if (tag.Key == "reason")
                {
                    reason = tag.Value as string;
                }
            }

            if (name == endpoint && reason is not null)
            {
                _reasons.Enqueue(reason);
            }
        });
        _listener.Start();
    }

    public IReadOnlyList<string> Reasons => [.. _reasons];

    public void Dispose() => _listener.Dispose();
}
