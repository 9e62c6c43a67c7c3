namespace MailHost.Sessions;

/// <summary>
/// The deadline of one unit the session reads whole, however its bytes arrive (SECURITY F1: a byte now and then is
/// no activity): a command line, a SASL response. It ends early when the session ends (its time limit, the host
/// stopping). A value, so a command costs no more than its timer.
/// </summary>
#pragma warning disable CA1001 // It is disposable: the rule does not see IDisposable on a value type.
internal readonly struct MailReadDeadline : IDisposable
#pragma warning restore CA1001
{
    private readonly CancellationTokenSource _expired;
    private readonly CancellationTokenRegistration _sessionEnded;

    /// <summary>Starts a deadline <paramref name="timeout"/> from now that also ends with <paramref name="sessionEnd"/>.</summary>
    public MailReadDeadline(TimeSpan timeout, TimeProvider timeProvider, CancellationToken sessionEnd)
    {
        _expired = new CancellationTokenSource(timeout, timeProvider);
        _sessionEnded = sessionEnd.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _expired);
    }

    /// <summary>Cancelled when the deadline passes or the session ends.</summary>
    public CancellationToken Token => _expired.Token;

    /// <summary>Whether <see cref="Token"/> is cancelled.</summary>
    public bool IsExpired => _expired.IsCancellationRequested;

    public void Dispose()
    {
        _sessionEnded.Dispose();
        _expired.Dispose();
    }
}
