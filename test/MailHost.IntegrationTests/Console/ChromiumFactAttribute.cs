namespace MailHost.IntegrationTests.Console;

/// <summary>
/// A test in a real Chromium (Debian packages <c>chromium</c> and <c>chromium-driver</c>): skipped with the reason when
/// either is not installed, unless <c>MAILHOST_REQUIRE_CHROMIUM=1</c> (CI, which installs them), where it runs and a
/// missing browser fails it.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (ChromiumBrowser.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
