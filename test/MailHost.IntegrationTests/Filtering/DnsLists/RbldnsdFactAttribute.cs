namespace MailHost.IntegrationTests.Filtering.DnsLists;

/// <summary>
/// A test against a real rbldnsd (the DNS list server many public lists run, Debian package <c>rbldnsd</c>): skipped
/// with the reason when it is not installed, unless <c>MAILHOST_REQUIRE_RBLDNSD=1</c>, where it runs and a missing
/// rbldnsd fails it.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RbldnsdFactAttribute : FactAttribute
{
    public RbldnsdFactAttribute()
    {
        if (RbldnsdServer.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
