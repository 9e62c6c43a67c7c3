using MailHost.Accounts;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MailHost.Server.Administration.Health;

/// <summary>
/// Ready only while the account directory answers: every login and every delivery starts there, and with PostgreSQL it
/// is the database the mail store shares, so a directory that answers means the store is reachable.
/// </summary>
internal sealed class StoreHealthCheck(IAccountAdministration directory) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await directory.ListDomainsAsync(timeout.Token).ConfigureAwait(false);
            return HealthCheckResult.Healthy("The store answers.");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The store did not answer within {Timeout.TotalSeconds:0} s.");
        }
#pragma warning disable CA1031 // Any failure of the store is the answer of this check, not an error of the endpoint.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return HealthCheckResult.Unhealthy("The store failed: " + ex.Message);
        }
    }
}
