namespace MailHost.IntegrationTests.Faults;

/// <summary>
/// A test that needs <see cref="SmallFilesystem"/> (mounting a size-limited tmpfs, which takes root on Linux): skipped
/// with the reason where mounting is impossible, unless <c>MAILHOST_REQUIRE_MOUNT=1</c> (CI, which runs as root), where
/// it runs and fails.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class MountFactAttribute : FactAttribute
{
    public MountFactAttribute()
    {
        if (SmallFilesystem.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
