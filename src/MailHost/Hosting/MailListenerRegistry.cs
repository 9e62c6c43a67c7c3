namespace MailHost.Hosting;

/// <summary>Every mail endpoint configured on this host, for start-up logs, health checks and tests.</summary>
public sealed class MailListenerRegistry
{
    private readonly Lock _lock = new();
    private readonly List<MailListener> _listeners = [];

    /// <summary>A snapshot of the listeners.</summary>
    public IReadOnlyList<MailListener> Listeners
    {
        get
        {
            lock (_lock)
            {
                return [.. _listeners];
            }
        }
    }

    internal void Add(MailListener listener)
    {
        lock (_lock)
        {
            _listeners.Add(listener);
        }
    }
}
