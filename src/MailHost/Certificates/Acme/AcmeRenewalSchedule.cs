namespace MailHost.Certificates.Acme;

/// <summary>
/// When to renew and when to try again. Renewal at two thirds of a certificate's lifetime (30 days before the end of a
/// 90-day certificate, as Let's Encrypt advises) leaves a third of it for failures to be noticed and fixed; failed
/// attempts are retried after a delay that doubles from one minute to one day, jittered so that many hosts that failed
/// together (an ACME server outage) do not come back together.
/// </summary>
internal static class AcmeRenewalSchedule
{
    public static readonly TimeSpan FirstRetry = TimeSpan.FromMinutes(1);

    public static readonly TimeSpan LongestRetry = TimeSpan.FromDays(1);

    /// <summary>Two thirds of the way from <paramref name="notBefore"/> to <paramref name="notAfter"/>.</summary>
    public static DateTimeOffset RenewAt(DateTimeOffset notBefore, DateTimeOffset notAfter) =>
        notBefore + ((notAfter - notBefore) * 2 / 3);

    /// <summary>
    /// The wait after the <paramref name="failures"/>th failure in a row: 1, 2, 4, ... minutes, at most a day, times a
    /// factor between 0.75 and 1.25 taken from <paramref name="jitter"/> (0 to 1), never beyond a day.
    /// </summary>
    public static TimeSpan RetryDelay(int failures, double jitter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failures, 1);
        var doublings = Math.Min(failures - 1, 20);
        var delay = TimeSpan.FromTicks(Math.Min(FirstRetry.Ticks << doublings, LongestRetry.Ticks));
        var factor = 0.75 + (0.5 * Math.Clamp(jitter, 0, 1));
        return TimeSpan.FromTicks(Math.Min((long)(delay.Ticks * factor), LongestRetry.Ticks));
    }
}
