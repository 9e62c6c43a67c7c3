using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using MailHost.Connections;

namespace MailHost.IntegrationTests.Faults;

/// <summary>
/// What a fault test checks after the fault: the <c>mailhost.connections.active</c> gauge of its endpoints back to zero,
/// and no task of MailHost's that faulted without anyone observing it (<see cref="TaskScheduler.UnobservedTaskException"/>).
/// Endpoints are named uniquely per test (<see cref="Endpoint"/>), so the gauge of one test is not another's.
/// </summary>
/// <remarks>
/// UnobservedTaskException is process-wide and raised by the finalizer, so a test could see a task of another test
/// running at the same time. Only exceptions with a frame in MailHost's own code (not the tests') count; a MailHost task
/// of a concurrent test that faults unobserved can still be blamed here, and it is a bug all the same.
/// </remarks>
public sealed class FaultObserver : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _active = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Exception> _unobserved = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FaultObserver()
    {
        TaskScheduler.UnobservedTaskException += OnUnobserved;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MailHostMetrics.MeterName && instrument.Name == "mailhost.connections.active")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "endpoint" && tag.Value is string name && _active.ContainsKey(name))
                {
                    _active.AddOrUpdate(name, value, (_, old) => old + value);
                    Pulse();
                }
            }
        });
        _listener.Start();
    }

    /// <summary>A unique endpoint name starting with <paramref name="prefix"/>, whose connections this observer counts.</summary>
    public string Endpoint(string prefix)
    {
        var name = prefix + "-" + Guid.NewGuid().ToString("N")[..8];
        _active[name] = 0;
        return name;
    }

    /// <summary>Connections open now on the endpoints of <see cref="Endpoint"/>.</summary>
    public long Active => _active.Values.Sum();

    /// <summary>Connections open now on one endpoint.</summary>
    public long ActiveOn(string endpoint) => _active.GetValueOrDefault(endpoint);

    /// <summary>Unobserved task exceptions from MailHost code seen so far.</summary>
    public IReadOnlyList<Exception> Unobserved => [.. _unobserved];

    /// <summary>Waits until every endpoint of this observer has no connection open; fails after <paramref name="timeout"/>.</summary>
    public async Task ExpectNoConnectionsAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }

            if (_active.Values.All(v => v == 0))
            {
                return;
            }

            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                var open = string.Join(", ", _active.Where(p => p.Value != 0).Select(p => $"{p.Key}={p.Value}"));
                throw new TimeoutException($"Connections still open after {timeout.TotalSeconds} s: {open}");
            }
        }
    }

    /// <summary>
    /// The end of a fault test: the connections are gone, and after collecting garbage (which finalises faulted tasks
    /// nobody awaited) no MailHost task has raised an unobserved exception.
    /// </summary>
    public async Task ExpectCleanAsync(TimeSpan? timeout = null)
    {
        await ExpectNoConnectionsAsync(timeout ?? TimeSpan.FromSeconds(15));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Unobserved.Select(e => e.ToString()).Should().BeEmpty("no MailHost task may fault without being observed");
    }

    public void Dispose()
    {
        TaskScheduler.UnobservedTaskException -= OnUnobserved;
        _listener.Dispose();
    }

    private void Pulse()
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    private void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
    {
        if (IsFromMailHost(e.Exception))
        {
            _unobserved.Enqueue(e.Exception);
        }
    }

    /// <summary>Whether a frame of the exception (or of an inner one) is in MailHost's code rather than a test's.</summary>
    private static bool IsFromMailHost(Exception exception)
        => exception.ToString().Split('\n').Any(line =>
        {
            var frame = line.TrimStart();
            return frame.StartsWith("at MailHost.", StringComparison.Ordinal)
                && !frame.StartsWith("at MailHost.IntegrationTests.", StringComparison.Ordinal)
                && !frame.StartsWith("at MailHost.Tests.", StringComparison.Ordinal);
        });
}
