using MailHost.Server.Onboarding;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MailHost.Server.Administration.Health;

/// <summary>
/// Ready only while the default certificate of the TLS mail endpoints is within its validity: with an expired one
/// every careful client refuses the connection. Degraded (still ready) in the last 14 days, when it must be renewed.
/// </summary>
internal sealed class CertificateHealthCheck(MailServerCertificate certificates, TimeProvider time) : IHealthCheck
{
    private static readonly TimeSpan RenewalWarning = TimeSpan.FromDays(14);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var certificate = certificates.Find(null, null);
        var now = time.GetUtcNow().UtcDateTime;
        var result = certificate switch
        {
            null => HealthCheckResult.Healthy("No mail endpoint uses TLS."),
            _ when certificate.NotBefore.ToUniversalTime() > now => HealthCheckResult.Unhealthy($"The certificate {certificate.Subject} is not valid before {certificate.NotBefore.ToUniversalTime():u}."),
            _ when certificate.NotAfter.ToUniversalTime() <= now => HealthCheckResult.Unhealthy($"The certificate {certificate.Subject} expired at {certificate.NotAfter.ToUniversalTime():u}."),
            _ when certificate.NotAfter.ToUniversalTime() - now < RenewalWarning => HealthCheckResult.Degraded($"The certificate {certificate.Subject} expires at {certificate.NotAfter.ToUniversalTime():u}."),
            _ => HealthCheckResult.Healthy($"The certificate {certificate.Subject} is valid until {certificate.NotAfter.ToUniversalTime():u}."),
        };
        return Task.FromResult(result);
    }
}
