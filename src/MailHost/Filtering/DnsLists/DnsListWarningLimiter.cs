namespace MailHost.Filtering.DnsLists;

/// <summary>
/// Lets one warning a zone and kind through per interval: a list that is down or refusing queries would otherwise log
/// once for every connection. The next warning that passes tells how many were held back.
/// </summary>
internal sealed class DnsListWarningLimiter
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Zone, int Kind), (DateTimeOffset Next, int Held)> _state = [];
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;

    public DnsListWarningLimiter(TimeProvider time, TimeSpan interval)
    {
        _time = time;
        _interval = interval;
    }

    /// <summary>Whether to log this warning now; <paramref name="held"/> is how many were held back since the last one.</summary>
    public bool ShouldLog(string zone, int kind, out int held)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            var key = (zone, kind);
            if (_state.TryGetValue(key, out var state) && now < state.Next)
            {
                _state[key] = (state.Next, state.Held + 1);
                held = 0;
                return false;
            }

            held = state.Held;
            _state[key] = (now + _interval, 0);
            return true;
        }
    }
}
