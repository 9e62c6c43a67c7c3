using MailHost.Delivery;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MailHost.Server.Administration.Health;

/// <summary>
/// Ready only while the outbound queue worker runs (when outbound delivery is on): a worker that ended would leave
/// submitted mail in the queue for ever while the host still accepted more.
/// </summary>
internal sealed class QueueWorkerHealthCheck(IEnumerable<IHostedService> hostedServices) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var worker = hostedServices.OfType<OutboundDeliveryWorker>().FirstOrDefault();
        var result = worker switch
        {
            null => HealthCheckResult.Healthy("Outbound delivery is off."),
            { ExecuteTask: null } => HealthCheckResult.Unhealthy("The outbound queue worker has not started."),
            { ExecuteTask.IsCompleted: true } => HealthCheckResult.Unhealthy("The outbound queue worker has stopped."),
            _ => HealthCheckResult.Healthy("The outbound queue worker runs."),
        };
        return Task.FromResult(result);
    }
}
