namespace MailHost.TestSupport;

/// <summary>
/// Names an outside program a test class needs besides its store: its <see cref="StoreFactAttribute"/> and
/// <see cref="StoreTheoryAttribute"/> tests are skipped with <see cref="InstallHint"/> when the program is on neither
/// <c>PATH</c> nor <see cref="Directories"/>. Under <c>MAILHOST_REQUIRE_POSTGRES=1</c> (CI, which installs these
/// programs) they run anyway, so a missing program fails them instead of hiding them.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class RequiresProgramAttribute(string program, string installHint) : Attribute
{
    /// <summary>The program's file name.</summary>
    public string Program { get; } = program;

    /// <summary>How to install it, for the skip reason.</summary>
    public string InstallHint { get; } = installHint;

    /// <summary>
    /// Directories searched besides <c>PATH</c>; one <c>*</c> may stand for a path segment (Debian keeps PostgreSQL's
    /// programs in <c>/usr/lib/postgresql/15/bin</c>, not on <c>PATH</c>).
    /// </summary>
    public string[] Directories { get; init; } = [];

    /// <summary>Why the tests are skipped here, or <see langword="null"/> when the program is there.</summary>
    public string? SkipReason => Find() ? null : $"{Program} is not installed ({InstallHint}).";

    private bool Find()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return path.Concat(Directories.SelectMany(Expand)).Any(directory => File.Exists(Path.Combine(directory, Program)));
    }

    private static IEnumerable<string> Expand(string pattern)
    {
        var star = pattern.IndexOf('*', StringComparison.Ordinal);
        if (star < 0)
        {
            return [pattern];
        }

        var parent = Path.GetDirectoryName(pattern[..(star + 1)]) ?? "";
        var rest = pattern[(star + 1)..].TrimStart('/');
        return Directory.Exists(parent)
            ? Directory.GetDirectories(parent, Path.GetFileName(pattern[..(star + 1)])).Select(d => Path.Combine(d, rest))
            : [];
    }
}
