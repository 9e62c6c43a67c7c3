namespace MailHost.Sessions;

/// <summary>
/// The deadline of one unit the session reads whole, however its bytes arrive (SECURITY F1: a byte now and then is
/// no activity): a command line, a SASL response, an IMAP APPEND literal. It ends early when the session must end
/// (its time limit; the host stopping, or for a transfer the shutdown deadline). A value, so a command costs no more
/// than its timer.
/// </summary>
#pragma warning disable CA1001 // It is disposable: the rule does not see IDisposable on a value type.
internal readonly struct MailReadDeadline : IDisposable
#pragma warning restore CA1001
{
    private readonly CancellationTokenSource _expired;
    private readonly CancellationTokenRegistration _ended;
    private readonly CancellationTokenRegistration _limited;
    private readonly TimeProvider _timeProvider;
    private readonly long _started;
    private readonly TimeSpan _timeout;

    /// <summary>
    /// Starts a deadline <paramref name="timeout"/> from now that also ends with <paramref name="end"/> and with
    /// <paramref name="sessionLimit"/>.
    /// </summary>
    public MailReadDeadline(TimeSpan timeout, TimeProvider timeProvider, CancellationToken end, CancellationToken sessionLimit = default)
    {
        _timeout = timeout;
        _timeProvider = timeProvider;
        _started = timeProvider.GetTimestamp();
        _expired = new CancellationTokenSource(timeout, timeProvider);
        _ended = end.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _expired);
        _limited = sessionLimit.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _expired);
    }

    /// <summary>Cancelled when the deadline passes or the session ends.</summary>
    public CancellationToken Token => _expired.Token;

    /// <summary>Whether <see cref="Token"/> is cancelled.</summary>
    public bool IsExpired => _expired.IsCancellationRequested;

    /// <summary>The time left of the timeout (not counting an early end).</summary>
    public TimeSpan Remaining
    {
        get
        {
            var left = _timeout - _timeProvider.GetElapsedTime(_started);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    public void Dispose()
    {
        _ended.Dispose();
        _limited.Dispose();
        _expired.Dispose();
    }
}
