namespace MailHost.IntegrationTests.Filtering.Rspamd;

/// <summary>
/// A test against a real rspamd (Debian package <c>rspamd</c>): skipped with the reason when rspamd is not installed,
/// unless <c>MAILHOST_REQUIRE_RSPAMD=1</c> (CI, which installs it), where it runs and a missing rspamd fails it.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RspamdFactAttribute : FactAttribute
{
    public RspamdFactAttribute()
    {
        if (RspamdServer.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
