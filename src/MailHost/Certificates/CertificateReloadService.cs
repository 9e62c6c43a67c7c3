using MailHost.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MailHost.Certificates;

/// <summary>
/// Every <see cref="MailHostOptions.CertificateReloadInterval"/> (30 s by default) reads the configured certificate
/// files again (<see cref="ConfiguredCertificateFiles.Poll"/>) and checks how long the served certificates have left
/// (<see cref="CertificateExpiryWarnings"/>). Polling rather than a file system watcher: watchers miss a Kubernetes
/// secret's symlink swap and changes on network file systems, and a certificate is a few kilobytes to read.
/// </summary>
internal sealed class CertificateReloadService(
    ConfiguredCertificateFiles files, ServerCertificateStore store, IOptions<MailHostOptions> options, TimeProvider time, ILogger<CertificateReloadService> logger)
    : IHostedService, IDisposable
{
    // With reloading turned off, expiry is still checked, once an hour.
    private static readonly TimeSpan ExpiryOnlyInterval = TimeSpan.FromHours(1);

    private readonly CertificateExpiryWarnings _expiry = new(logger);
    private readonly Lock _tick = new();
    private ITimer? _timer;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var interval = options.Value.CertificateReloadInterval;
        if (interval < TimeSpan.Zero)
        {
            throw MailHostConfigurationException.For(
                MailHostOptions.SectionName + ":" + nameof(MailHostOptions.CertificateReloadInterval),
                $"'{interval}' is negative. Give a time such as 00:00:30, or 00:00:00 to turn reloading off.");
        }

        var reload = interval > TimeSpan.Zero;
        var period = reload ? interval : ExpiryOnlyInterval;
        Tick(reload);
        _timer = time.CreateTimer(_ => Tick(reload), state: null, period, period);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();

    private void Tick(bool reload)
    {
        // A slow network file system can make one tick outlast the period; the next one then has nothing to add.
        if (!_tick.TryEnter())
        {
            return;
        }

        try
        {
            if (reload)
            {
                files.Poll();
            }

            _expiry.Check(store.Current, time.GetUtcNow());
        }
#pragma warning disable CA1031 // A timer callback has no caller: whatever fails is logged, and the served certificates stay.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            CertificateLog.CheckFailed(logger, ex);
        }
        finally
        {
            _tick.Exit();
        }
    }
}
