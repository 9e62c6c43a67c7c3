using MailHost.Hosting;
using MailHost.Smtp;
using MailHost.Storage;
using Microsoft.Extensions.Options;

namespace MailHost.Server;

/// <summary>
/// Runs first when the host starts: makes the data directory owner-only (<see cref="DataDirectoryProtection"/>,
/// logging what it had to change) and prepares the SMTP spool directory, removing the files of transactions a crash
/// interrupted (their content is either delivered or was never acknowledged).
/// </summary>
internal sealed partial class DataDirectoryStartup(
    IOptions<MailHostOptions> hostOptions, IOptions<SmtpOptions> smtpOptions, ILogger<DataDirectoryStartup> logger) : IHostedService
{
    /// <summary>The spool directory's name inside the data directory.</summary>
    public const string SpoolDirectoryName = "spool";

    private const string SpoolKey = "MailHost:Smtp:SpoolDirectory";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        DataDirectoryProtection.Protect(hostOptions.Value.DataDirectory, logger);
        if (smtpOptions.Value.SpoolDirectory is not { Length: > 0 } spool)
        {
            return Task.CompletedTask;
        }

        try
        {
            OwnerOnlyFiles.CreateDirectory(spool);
            var leftovers = 0;
            foreach (var file in Directory.EnumerateFiles(spool, "mailhost-smtp-*.tmp"))
            {
                try
                {
                    File.Delete(file);
                    leftovers++;
                }
                catch (IOException)
                {
                    // Open in another host sharing the directory (Windows refuses to delete it): that host removes it.
                }
            }

            if (leftovers > 0)
            {
                LogSpoolLeftovers(logger, leftovers, spool);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MailHostConfigurationException($"{SpoolKey}: cannot use '{spool}' ({ex.Message}). Point it at a directory this account can create and write, or remove the setting to use '{SpoolDirectoryName}' in the data directory.", ex) { Key = SpoolKey };
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(1410, LogLevel.Information, "Removed {Count} SMTP spool file(s) of interrupted transactions from {Directory}")]
    private static partial void LogSpoolLeftovers(ILogger logger, int count, string directory);
}
