namespace MailHost.IntegrationTests.Faults;

/// <summary>
/// Counts <see cref="TaskScheduler.UnobservedTaskException"/> while alive: a fault path that drops a failed task shows up
/// here once <see cref="CollectAndCount"/> has forced the garbage collector to finalise it.
/// </summary>
public sealed class UnobservedTaskExceptionCounter : IDisposable
{
    private readonly List<string> _seen = [];

    public UnobservedTaskExceptionCounter() => TaskScheduler.UnobservedTaskException += OnUnobserved;

    /// <summary>Forces collection and finalisation, then returns what went unobserved.</summary>
    public IReadOnlyList<string> CollectAndCount()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        lock (_seen)
        {
            return [.. _seen];
        }
    }

    public void Dispose() => TaskScheduler.UnobservedTaskException -= OnUnobserved;

    private void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
    {
        lock (_seen)
        {
            _seen.Add(e.Exception.ToString());
        }
    }
}
