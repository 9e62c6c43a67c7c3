namespace MailHost.IntegrationTests.Filtering.ClamAv;

/// <summary>
/// A test against a real clamd (Debian package <c>clamav-daemon</c>): skipped with the reason when clamd is not
/// installed, unless <c>MAILHOST_REQUIRE_CLAMAV=1</c>, where it runs and a missing clamd fails it.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ClamAvFactAttribute : FactAttribute
{
    public ClamAvFactAttribute()
    {
        if (ClamdServer.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
