namespace MailHost.Storage;

/// <summary>
/// Creates the directories and files that hold mail, password records and private keys so that only the server's
/// own account can open them, from the moment they exist: on Unix directories get mode 0700 and files 0600, given to
/// <c>mkdir(2)</c> and <c>open(2)</c> themselves (the process umask can only take bits away), so nothing is created
/// readable and fixed up afterwards. On Windows they inherit the data directory's access list, which
/// <see cref="Hosting.DataDirectoryProtection"/> limits to the service account, SYSTEM and Administrators.
/// </summary>
public static class OwnerOnlyFiles
{
    /// <summary>Owner read and write: 0600.</summary>
    public const UnixFileMode FilePermissions = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Owner read, write and search: 0700.</summary>
    public const UnixFileMode DirectoryPermissions = FilePermissions | UnixFileMode.UserExecute;

    /// <summary>
    /// Creates <paramref name="path"/> and any missing parents owner-only; an existing directory is left as it is
    /// (the start-up protection of the data directory tightens those). On Windows a directory it creates gets the
    /// restricted access list of <see cref="Hosting.DataDirectoryProtection"/> from the start.
    /// </summary>
    public static DirectoryInfo CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Hosting.WindowsDataDirectoryAcl.Create(path);
            return new DirectoryInfo(path);
        }

        // Directory.CreateDirectory(path, mode) gives the mode to the last directory only; missing parents would get
        // 0777 minus the umask. Each missing level is made here, from the top down.
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var missing = new Stack<string>();
        for (var level = full; level is not null && !Directory.Exists(level); level = Path.GetDirectoryName(level))
        {
            missing.Push(level);
        }

        while (missing.TryPop(out var level))
        {
            Directory.CreateDirectory(level, DirectoryPermissions);
        }

        return new DirectoryInfo(full);
    }

    /// <summary>
    /// Opens a file like <see cref="FileStream(string, FileStreamOptions)"/>; a file this call creates is owner-only
    /// on Unix. <paramref name="mode"/> must be one that may create (<see cref="FileMode.CreateNew"/>,
    /// <see cref="FileMode.Create"/>, <see cref="FileMode.OpenOrCreate"/>); an existing file keeps its mode, so
    /// callers that replace a file write a new one and rename it over the old.
    /// </summary>
    public static FileStream Create(string path, FileMode mode, FileAccess access, FileShare share, int bufferSize, FileOptions options)
    {
        var streamOptions = new FileStreamOptions
        {
            Mode = mode,
            Access = access,
            Share = share,
            BufferSize = bufferSize,
            Options = options,
        };
        if (!OperatingSystem.IsWindows())
        {
            streamOptions.UnixCreateMode = FilePermissions;
        }

        return new FileStream(path, streamOptions);
    }

    /// <summary>
    /// Creates an empty owner-only file at <paramref name="path"/> unless one exists. A database created this way
    /// before SQLite opens it stays owner-only, and so do its <c>-wal</c>, <c>-shm</c> and <c>-journal</c> files:
    /// SQLite creates them with the mode of the database file (<c>os_unix.c</c>, <c>findCreateFileMode</c> and
    /// <c>unixOpenSharedMemory</c>), whatever the umask.
    /// </summary>
    public static void EnsureFile(string path)
    {
        if (File.Exists(path))
        {
            return;
        }

        try
        {
            using var created = Create(path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process (an admin command beside the server) created it first; it did so the same way.
        }
    }
}
