namespace MailHost.IntegrationTests.Acme;

/// <summary>
/// The clock of the host's ACME renewals in a test: it starts at the real time (Pebble's certificates carry real dates)
/// and then moves only through <see cref="Advance"/>, which fires the timers that came due.
/// </summary>
public sealed class AcmeTestClock : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<Timer> _timers = [];
    private DateTimeOffset _now = DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    /// <summary>How long until the earliest pending timer fires; null when none is pending.</summary>
    public TimeSpan? NextTimerIn
    {
        get
        {
            lock (_lock)
            {
                var due = _timers.Where(t => t.Due is not null).Select(t => t.Due!.Value).ToList();
                return due.Count == 0 ? null : due.Min() - _now;
            }
        }
    }

    /// <summary>Waits until a timer is pending (the service has scheduled its next step) and returns how far away it is.</summary>
    public async Task<TimeSpan> WaitForTimerAsync(TimeSpan limit)
    {
        using var deadline = new CancellationTokenSource(limit);
        while (true)
        {
            if (NextTimerIn is { } next)
            {
                return next;
            }

            await Task.Delay(20, deadline.Token);
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Timer(this, callback, state);
        timer.Change(dueTime, period);
        lock (_lock)
        {
            _timers.Add(timer);
        }

        return timer;
    }

    public void Advance(TimeSpan by)
    {
        List<Timer> due;
        lock (_lock)
        {
            _now += by;
            due = [.. _timers.Where(t => t.Due is { } d && d <= _now)];
            foreach (var timer in due)
            {
                timer.Due = timer.Period is { } p && p > TimeSpan.Zero ? _now + p : null;
            }
        }

        foreach (var timer in due)
        {
            timer.Fire();
        }
    }

    private sealed class Timer(AcmeTestClock owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? Due { get; set; }

        public TimeSpan? Period { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._lock)
            {
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : owner._now + dueTime;
                Period = period == Timeout.InfiniteTimeSpan ? null : period;
            }

            return true;
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (owner._lock)
            {
                Due = null;
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
