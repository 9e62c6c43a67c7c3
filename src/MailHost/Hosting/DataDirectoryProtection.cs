using System.Globalization;
using MailHost.Storage;
using Microsoft.Extensions.Logging;

namespace MailHost.Hosting;

/// <summary>
/// Keeps the data directory (password records, DKIM private keys, mail, the generated certificate, the SMTP spool)
/// readable by the server's own account only. New files are created that way (<see cref="OwnerOnlyFiles"/>); this
/// class deals with what already exists when the host starts: a data directory made by an older MailHost, by hand, or
/// restored from a backup with wider modes.
/// </summary>
/// <remarks>
/// On Unix the directory and everything below it lose their group and other permission bits (and set-id and sticky
/// bits), so files end up 0600 and directories 0700; symbolic links are neither followed nor changed. Entries the
/// process cannot change (owned by another user) are reported, not fatal. On Windows the directory's access list is
/// replaced, when it allows anyone else, by one that is not inherited from the parent and grants full control to the
/// current (service) account, SYSTEM and Administrators only; files and subdirectories inherit it.
/// </remarks>
public static partial class DataDirectoryProtection
{
    private const int ExamplesShown = 5;
    private const UnixFileMode OwnerBits = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>
    /// Creates <paramref name="dataDirectory"/> owner-only if it is missing, otherwise restricts it and its contents
    /// as described above, and logs a warning that says what was changed.
    /// </summary>
    /// <returns>How many entries were changed.</returns>
    public static int Protect(string dataDirectory, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        ArgumentNullException.ThrowIfNull(logger);
        var root = Path.GetFullPath(dataDirectory);
        if (OperatingSystem.IsWindows())
        {
            if (!Directory.Exists(root))
            {
                OwnerOnlyFiles.CreateDirectory(root);
                return 0;
            }

            if (WindowsDataDirectoryAcl.Restrict(root))
            {
                LogAclRestricted(logger, root);
                return 1;
            }

            return 0;
        }

        OwnerOnlyFiles.CreateDirectory(root);
        var changed = new List<string>();
        var failed = new List<string>();
        var directories = new Stack<DirectoryInfo>();
        var rootInfo = new DirectoryInfo(root);
        Restrict(rootInfo, changed, failed);
        directories.Push(rootInfo);
        while (directories.TryPop(out var directory))
        {
            IEnumerable<FileSystemInfo> entries;
            try
            {
                entries = directory.EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true }).ToList();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                failed.Add($"{directory.FullName} ({ex.Message})");
                continue;
            }

            foreach (var entry in entries)
            {
                // chmod(2) follows a link: its target may be anywhere, and is not ours to change.
                if (entry.LinkTarget is not null)
                {
                    continue;
                }

                Restrict(entry, changed, failed);
                if (entry is DirectoryInfo subdirectory)
                {
                    directories.Push(subdirectory);
                }
            }
        }

        if (changed.Count > 0)
        {
            LogRestricted(logger, root, changed.Count, Examples(changed));
        }

        if (failed.Count > 0)
        {
            LogNotRestricted(logger, root, failed.Count, Examples(failed));
        }

        return changed.Count;
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void Restrict(FileSystemInfo entry, List<string> changed, List<string> failed)
    {
        try
        {
            var mode = entry.UnixFileMode;
            var restricted = mode & OwnerBits;
            if (restricted == mode)
            {
                return;
            }

            entry.UnixFileMode = restricted;
            changed.Add(string.Create(CultureInfo.InvariantCulture, $"{entry.FullName} ({Octal(mode)} -> {Octal(restricted)})"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            failed.Add($"{entry.FullName} ({ex.Message})");
        }
    }

    private static string Examples(List<string> entries)
        => string.Join(", ", entries.Take(ExamplesShown)) + (entries.Count > ExamplesShown ? ", ..." : string.Empty);

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');

    [LoggerMessage(1400, LogLevel.Warning, "Data directory {Path}: {Count} file(s) or director(ies) could be read by other users and are now owner-only: {Changes}")]
    private static partial void LogRestricted(ILogger logger, string path, int count, string changes);

    [LoggerMessage(1401, LogLevel.Warning, "Data directory {Path}: {Count} entr(ies) could not be made owner-only and other users may be able to read them (are they another account's?): {Failures}")]
    private static partial void LogNotRestricted(ILogger logger, string path, int count, string failures);

    [LoggerMessage(1402, LogLevel.Warning, "Data directory {Path}: its access list allowed other accounts; it now grants access to this account, SYSTEM and Administrators only")]
    private static partial void LogAclRestricted(ILogger logger, string path);
}
