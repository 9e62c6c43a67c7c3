using System.Diagnostics;
using MailHost.Connections;
using MailHost.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MailHost.Certificates.Acme;

/// <summary>
/// Keeps the host's ACME certificate current. At start it serves the stored certificate when it covers the configured
/// names and has not expired, and otherwise orders one at once. Afterwards it renews at two thirds of the lifetime
/// (<see cref="AcmeRenewalSchedule"/>); a failed attempt keeps the certificate in use, is logged with the server's
/// problem, counted in <c>mailhost.acme.orders</c>, and retried with a growing delay. The certificate is served as
/// <c>acme:FIRST-NAME</c> through <see cref="IServerCertificateRegistry"/>, so the expiry warning and gauge cover it.
/// </summary>
internal sealed class AcmeCertificateService(
    AcmeIssuer issuer,
    AcmeCertificateFiles files,
    AcmeSettings settings,
    IServerCertificateRegistry registry,
    [FromKeyedServices(AcmeCertificateService.TimeProviderKey)] TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<AcmeCertificateService> logger) : BackgroundService
{
    /// <summary>The service key of the clock that schedules renewals (tests register their own under it).</summary>
    public const string TimeProviderKey = "MailHost.Acme";

    /// <summary>The longest single wait: timers cannot wait the months a renewal may be away, and a daily look is cheap.</summary>
    private static readonly TimeSpan LongestWait = TimeSpan.FromDays(1);

    private AcmeIssuedCertificate? _stored;

    private string FileName => settings.Names[0];

    /// <summary>The certificate's name in the registry.</summary>
    public string RegistryName => "acme:" + settings.Names[0];

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Checked here rather than at registration: an application may register its IAcmeDnsChallenge afterwards.
        if (settings.Options.Challenge == AcmeChallengeType.Dns01 && !issuer.CanAnswerDns01)
        {
            throw MailHostConfigurationException.For(
                AcmeOptions.SectionName + ":DnsHook",
                "is needed for the Dns01 challenge: give a script (called as: SCRIPT set|clear _acme-challenge.NAME VALUE), or register an IAcmeDnsChallenge.");
        }

        // Before the host starts listening: the first handshake already gets the stored certificate. (ExecuteAsync runs
        // on its own, concurrently with the rest of the start.)
        _stored = LoadStored();
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The first order waits until the host listens: the ACME server may check the http-01 challenge as soon as the
        // order is placed, and an answer from a port not yet bound is a failed validation, which also counts against
        // the CA's limit on failed validations per name.
        try
        {
            await HostStartedAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        var current = _stored;
        var due = current is null ? time.GetUtcNow() : AcmeRenewalSchedule.RenewAt(current.NotBefore, current.NotAfter);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await WaitUntilAsync(due, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            if (current is not null)
            {
                AcmeLog.RenewalDue(logger, RegistryName, current.Certificate.SerialNumber, current.NotAfter);
            }

            try
            {
                var issued = await issuer.IssueAsync(settings.Names, stoppingToken).ConfigureAwait(false);
                files.SaveCertificate(FileName, issued);
                registry.SetCertificate(RegistryName, issued.Certificate, issued.Intermediates);
                current = issued;
                failures = 0;
                due = AcmeRenewalSchedule.RenewAt(issued.NotBefore, issued.NotAfter);
                MailHostMetrics.AcmeOrders.Add(1, new TagList { { "name", RegistryName }, { "outcome", "issued" } });
                AcmeLog.Issued(logger, RegistryName, string.Join(",", issued.Names), issued.Certificate.SerialNumber, issued.NotAfter, due);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // Whatever failed (the ACME server, the network, a hook, the disk) is logged and retried; the host keeps serving.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failures++;
                var delay = AcmeRenewalSchedule.RetryDelay(failures, Random.Shared.NextDouble());
                due = time.GetUtcNow() + delay;
                MailHostMetrics.AcmeOrders.Add(1, new TagList { { "name", RegistryName }, { "outcome", "failed" } });
                var reason = ex is AcmeException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
                AcmeLog.Failed(logger, RegistryName, failures, reason.EndsWith('.') ? reason : reason + ".", due, delay, ex is AcmeException ? null : ex);
            }
        }
    }

    /// <summary>Completes once the host has started (every listener bound), or is cancelled with <paramref name="stoppingToken"/>.</summary>
    private async Task HostStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(static s => ((TaskCompletionSource)s!).TrySetResult(), started);
        using var onStopping = stoppingToken.Register(static s => ((TaskCompletionSource)s!).TrySetCanceled(), started);
        await started.Task.ConfigureAwait(false);
    }

    /// <summary>The stored certificate, served at once, when it covers the names and is still valid; null otherwise.</summary>
    private AcmeIssuedCertificate? LoadStored()
    {
        var path = files.CertificatePath(FileName);
        var stored = files.TryLoadCertificate(FileName, out var error);
        if (stored is null)
        {
            if (File.Exists(path))
            {
                AcmeLog.StoredUnusable(logger, path, error ?? "unreadable");
            }

            return null;
        }

        if (!stored.Covers(settings.Names))
        {
            AcmeLog.StoredUnusable(logger, path, $"it is for {string.Join(",", stored.Names)}, not for every one of {string.Join(",", settings.Names)}");
            return null;
        }

        if (stored.NotAfter <= time.GetUtcNow())
        {
            AcmeLog.StoredUnusable(logger, path, $"it expired on {stored.NotAfter:u}");
            return null;
        }

        try
        {
            registry.SetCertificate(RegistryName, stored.Certificate, stored.Intermediates);
        }
        catch (ArgumentException ex)
        {
            AcmeLog.StoredUnusable(logger, path, ex.Message);
            return null;
        }

        AcmeLog.Loaded(logger, RegistryName, path, stored.Certificate.SerialNumber, stored.NotAfter, AcmeRenewalSchedule.RenewAt(stored.NotBefore, stored.NotAfter));
        return stored;
    }

    private async Task WaitUntilAsync(DateTimeOffset due, CancellationToken cancellationToken)
    {
        for (var left = due - time.GetUtcNow(); left > TimeSpan.Zero; left = due - time.GetUtcNow())
        {
            // Whole milliseconds, rounded up: timers drop the fraction, and a wait of 0 ms would spin until due.
            var wait = TimeSpan.FromMilliseconds(Math.Ceiling(left.TotalMilliseconds));
            await Task.Delay(wait < LongestWait ? wait : LongestWait, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
