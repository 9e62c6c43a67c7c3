using MailHost.IntegrationTests.Infrastructure;

namespace MailHost.IntegrationTests.Fuzzing;

/// <summary>
/// A test that runs afl-fuzz (Debian package <c>afl++</c>): skipped with the reason when afl-fuzz is not installed,
/// unless <c>MAILHOST_REQUIRE_AFL=1</c> (CI, which installs it), where it runs and a missing afl-fuzz fails it.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AflTheoryAttribute : TheoryAttribute
{
    public AflTheoryAttribute()
    {
        if (Environment.GetEnvironmentVariable("MAILHOST_REQUIRE_AFL") != "1" && !ExternalProcess.Exists("afl-fuzz"))
        {
            Skip = "Fuzzing tests skipped: afl-fuzz is not installed (on Debian: apt-get install afl++; .ci/run installs it).";
        }
    }
}
