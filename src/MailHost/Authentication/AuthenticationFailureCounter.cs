namespace MailHost.Authentication;

/// <summary>
/// Counts failed authentications on one connection so the session can close it after
/// <see cref="AuthenticationOptions.MaxFailuresPerConnection"/> (Stalwart closes IMAP after 3). Not thread-safe:
/// one per session.
/// </summary>
internal sealed class AuthenticationFailureCounter
{
    /// <summary>Creates a counter; <paramref name="maxFailures"/> 0 or less means no limit.</summary>
    public AuthenticationFailureCounter(int maxFailures) => MaxFailures = maxFailures;

    /// <summary>The limit; 0 or less means none.</summary>
    public int MaxFailures { get; }

    /// <summary>Failures counted so far.</summary>
    public int Failures { get; private set; }

    /// <summary>Whether the session should now close the connection.</summary>
    public bool LimitReached => MaxFailures > 0 && Failures >= MaxFailures;

    /// <summary>Counts <paramref name="result"/> if <see cref="AuthenticationResult.CountsAsFailure"/>; returns <see cref="LimitReached"/>.</summary>
    public bool Record(AuthenticationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.CountsAsFailure)
        {
            Failures++;
        }

        return LimitReached;
    }
}
