using System.Diagnostics;
using MailHost.IntegrationTests.Infrastructure;

namespace MailHost.IntegrationTests.Faults;

/// <summary>
/// A size-limited tmpfs mounted on a fresh directory for one test, and a filler file that takes its free space: a disk
/// that really fills up under the server (ENOSPC from the kernel, SQLITE_FULL from SQLite). Unmounted on dispose.
/// </summary>
public sealed class SmallFilesystem : IAsyncDisposable
{
    private static readonly Lazy<string?> Probe = new(ProbeMount);

    private SmallFilesystem(string path) => Path = path;

    /// <summary>Why tests on a small file system are skipped here, or null when they run.</summary>
    public static string? SkipReason =>
        Environment.GetEnvironmentVariable("MAILHOST_REQUIRE_MOUNT") == "1" ? null : Probe.Value;

    /// <summary>The mount point.</summary>
    public string Path { get; }

    private string FillerPath => System.IO.Path.Combine(Path, "filler");

    /// <summary>Octets free for new data.</summary>
    public long Available => new DriveInfo(Path).AvailableFreeSpace;

    /// <summary>Mounts a tmpfs of <paramref name="megabytes"/> MiB, owner-only, on the empty directory <paramref name="path"/>.</summary>
    public static async Task<SmallFilesystem> MountAsync(int megabytes, string path)
    {
        var (exit, error) = await RunAsync("mount", "-t", "tmpfs", "-o", $"size={megabytes}m,mode=0700", "tmpfs", path);
        if (exit != 0)
        {
            throw new InvalidOperationException("mount -t tmpfs failed (MAILHOST_REQUIRE_MOUNT=1 needs root): " + error);
        }

        return new SmallFilesystem(path);
    }

    /// <summary>Writes the filler until at most <paramref name="leave"/> octets stay free (0: until the disk is full).</summary>
    public void Fill(long leave = 0)
    {
        var buffer = new byte[64 * 1024];
        using var filler = new FileStream(FillerPath, FileMode.Append, FileAccess.Write, FileShare.None, 1, FileOptions.None);
        try
        {
            while (true)
            {
                var room = Available - leave;
                if (room <= 0)
                {
                    break;
                }

                filler.Write(buffer, 0, (int)Math.Min(buffer.Length, room));
            }
        }
        catch (IOException ex) when (MailHost.Storage.StorageFailures.IsOutOfSpace(ex))
        {
            // Full: exactly what was asked for when nothing is to be left.
        }
    }

    /// <summary>Deletes the filler: the space is back.</summary>
    public void Free() => File.Delete(FillerPath);

    /// <summary>Sets or clears the immutable attribute of <paramref name="path"/> (chattr): even root cannot create files in an immutable directory.</summary>
    public static async Task SetImmutableAsync(string path, bool immutable)
    {
        var (exit, error) = await RunAsync("chattr", immutable ? "+i" : "-i", path);
        exit.Should().Be(0, "chattr on tmpfs: " + error);
    }

    public async ValueTask DisposeAsync()
    {
        var (exit, error) = await RunAsync("umount", Path);
        if (exit != 0)
        {
            // Something still holds a file there: detach it now, the kernel frees it when the last file closes.
            (exit, error) = await RunAsync("umount", "-l", Path);
        }

        exit.Should().Be(0, "umount: " + error);
    }

    private static string? ProbeMount()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "Small file system tests skipped: they mount a tmpfs, which needs Linux.";
        }

        if (!ExternalProcess.Exists("mount") || !ExternalProcess.Exists("umount"))
        {
            return "Small file system tests skipped: mount or umount is not installed.";
        }

        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mailhost-tests", "probe-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        try
        {
            var (exit, error) = RunAsync("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", path).GetAwaiter().GetResult();
            if (exit != 0)
            {
                return "Small file system tests skipped: mounting a tmpfs is not permitted here (run as root; MAILHOST_REQUIRE_MOUNT=1 makes this a failure): " + error.Trim();
            }

            RunAsync("umount", path).GetAwaiter().GetResult();
            return null;
        }
        finally
        {
            Directory.Delete(path);
        }
    }

    private static async Task<(int Exit, string Error)> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        return (process.ExitCode, await error);
    }
}
