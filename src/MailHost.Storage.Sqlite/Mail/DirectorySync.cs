using System.Runtime.InteropServices;

namespace MailHost.Storage.Sqlite.Mail;

/// <summary>
/// Makes a rename durable: on Unix the directory itself is fsynced (opened read-only, then fsync), because a
/// rename lives in the directory, not the file. On Windows the file was flushed before the move, which is enough.
/// </summary>
/// <remarks>
/// The directory is opened with O_RDONLY alone: Linux and macOS both allow that for a directory. O_DIRECTORY would
/// add nothing (the path is always a directory) and its value differs by architecture (0x10000 on x86-64 is
/// O_DIRECT on arm64, where O_DIRECTORY is 0x4000), so a constant for it would break the flush on some machines.
/// </remarks>
internal static class DirectorySync
{
    private const int ReadOnly = 0;

    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = Open(directory, ReadOnly);
        if (fd < 0)
        {
            throw new IOException($"Cannot open directory '{directory}' to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory '{directory}' failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Close(int fd);
}
