namespace MailHost.IntegrationTests.Acme;

/// <summary>
/// A test against a real Pebble (Let's Encrypt's test ACME server, Debian package <c>pebble</c>): skipped with the reason
/// when Pebble is not installed, unless <c>MAILHOST_REQUIRE_PEBBLE=1</c> (CI, which installs it), where it runs and a
/// missing Pebble fails it.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PebbleFactAttribute : FactAttribute
{
    public PebbleFactAttribute()
    {
        if (PebbleServer.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
