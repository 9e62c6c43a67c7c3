using System.Runtime.InteropServices;

namespace MailHost.Storage;

/// <summary>Tells a full disk apart from the other I/O failures a store meets, so it can report <see cref="StoreErrorCode.InsufficientStorage"/>.</summary>
public static class StorageFailures
{
    // errno on Linux and macOS: ENOSPC is 28 on both; EDQUOT (the user's file system quota) is 122 on Linux, 69 on macOS.
    private const int NoSpace = 28;
    private const int LinuxQuotaExceeded = 122;
    private const int MacQuotaExceeded = 69;

    // Win32: ERROR_HANDLE_DISK_FULL and ERROR_DISK_FULL.
    private const int HandleDiskFull = 39;
    private const int DiskFull = 112;

    /// <summary>
    /// Whether <paramref name="exception"/> or one of its inner exceptions is an <see cref="IOException"/> for a full
    /// disk or an exhausted file system quota. On Unix .NET puts the errno into <see cref="Exception.HResult"/>; on
    /// Windows the Win32 error is the low 16 bits of the HRESULT.
    /// </summary>
    public static bool IsOutOfSpace(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is IOException io && IsOutOfSpaceCode(io.HResult))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsOutOfSpaceCode(int hresult)
    {
        if (OperatingSystem.IsWindows())
        {
            var code = hresult & 0xFFFF;
            return code is DiskFull or HandleDiskFull;
        }

        return hresult == NoSpace || hresult == (RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? MacQuotaExceeded : LinuxQuotaExceeded);
    }
}
