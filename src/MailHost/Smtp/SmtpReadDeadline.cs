namespace MailHost.Smtp;

/// <summary>
/// The deadline of one transfer the session reads whole, however its bytes arrive (SECURITY F1: a byte now and then
/// is no activity): a DATA transfer or a BDAT chunk (a line has a <see cref="Sessions.MailReadDeadline"/>). It also
/// ends when the session must (its time limit, the host's shutdown deadline). It has a minimum transfer rate in the manner of
/// Postfix's <c>smtpd_min_data_rate</c>: a time budget that starts at the timeout, runs down from the start, and grows by one
/// second for every <c>minimum rate</c> octets received (<see cref="Received"/>), never past the timeout. A client
/// that keeps up the rate never meets the deadline, a pause of up to the timeout is forgiven, and a trickle is cut
/// about one timeout after it began.
/// </summary>
internal sealed class SmtpReadDeadline : IDisposable
{
    private readonly TimeSpan _timeout;
    private readonly int _minimumRate;
    private readonly TimeProvider _timeProvider;
    private readonly CancellationTokenSource _expired;
    private readonly CancellationTokenRegistration _sessionEnded;
    private readonly CancellationTokenRegistration _sessionLimited;
    private TimeSpan _budget;
    private long _since;

    /// <param name="timeout">The starting budget and its ceiling.</param>
    /// <param name="minimumRate">Octets per second a transfer must average; 0 earns nothing: all of it must arrive within <paramref name="timeout"/>.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="sessionEnd">Ends the transfer too (the host's shutdown deadline).</param>
    /// <param name="sessionLimit">Ends the transfer too (the session time limit).</param>
    public SmtpReadDeadline(TimeSpan timeout, int minimumRate, TimeProvider timeProvider, CancellationToken sessionEnd, CancellationToken sessionLimit = default)
    {
        _timeout = timeout;
        _minimumRate = minimumRate;
        _timeProvider = timeProvider;
        _budget = timeout;
        _since = timeProvider.GetTimestamp();
        _expired = new CancellationTokenSource(timeout, timeProvider);
        _sessionEnded = sessionEnd.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _expired);
        _sessionLimited = sessionLimit.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _expired);
    }

    /// <summary>Cancelled when the budget is spent or the session ends.</summary>
    public CancellationToken Token => _expired.Token;

    /// <summary>Credits <paramref name="octets"/> just received and moves the deadline accordingly.</summary>
    public void Received(long octets)
    {
        var now = _timeProvider.GetTimestamp();
        _budget = NextBudget(_budget, _timeProvider.GetElapsedTime(_since, now), octets, _timeout, _minimumRate);
        _since = now;
        if (!_expired.IsCancellationRequested)
        {
            _expired.CancelAfter(_budget);
        }
    }

    /// <summary>
    /// The budget left after <paramref name="elapsed"/> has passed and <paramref name="octets"/> arrived: it falls by
    /// the time and rises by <paramref name="octets"/> / <paramref name="minimumRate"/> seconds, capped at
    /// <paramref name="ceiling"/>, never below zero.
    /// </summary>
    internal static TimeSpan NextBudget(TimeSpan budget, TimeSpan elapsed, long octets, TimeSpan ceiling, int minimumRate)
    {
        var earned = minimumRate > 0 ? TimeSpan.FromSeconds((double)octets / minimumRate) : TimeSpan.Zero;
        var next = budget - elapsed + earned;
        return next > ceiling ? ceiling : next < TimeSpan.Zero ? TimeSpan.Zero : next;
    }

    public void Dispose()
    {
        _sessionEnded.Dispose();
        _sessionLimited.Dispose();
        _expired.Dispose();
    }
}
