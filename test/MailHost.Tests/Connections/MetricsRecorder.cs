using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using MailHost.Connections;

namespace MailHost.Tests.Connections;

/// <summary>Every measurement of the <c>MailHost</c> meter from its creation on, with its tags, for assertions.</summary>
internal sealed class MetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<RecordedMeasurement> _measurements = new();

    public MetricsRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MailHostMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The measurements of <paramref name="instrument"/> whose tags include all of <paramref name="tags"/>.</summary>
    public IReadOnlyList<RecordedMeasurement> Of(string instrument, params (string Key, string Value)[] tags)
        => [.. _measurements.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && v == t.Value))];

    /// <summary>The sum of the values of <see cref="Of"/>: a counter's increase.</summary>
    public double Sum(string instrument, params (string Key, string Value)[] tags) => Of(instrument, tags).Sum(m => m.Value);

    /// <summary>The values one tag took on <paramref name="instrument"/> among measurements that have <paramref name="tags"/>.</summary>
    public IReadOnlySet<string?> TagValues(string instrument, string key, params (string Key, string Value)[] tags)
        => Of(instrument, tags).Select(m => m.Tags.GetValueOrDefault(key)).ToHashSet();

    /// <summary>Observes the gauges now; their measurements are added like the others.</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    public void Dispose() => _listener.Dispose();

    private void Add<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct, IConvertible
    {
        var copied = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copied[tag.Key] = tag.Value?.ToString();
        }

        _measurements.Enqueue(new RecordedMeasurement(instrument.Name, value.ToDouble(CultureInfo.InvariantCulture), copied));
    }

    internal sealed record RecordedMeasurement(string Instrument, double Value, IReadOnlyDictionary<string, string?> Tags);
}
