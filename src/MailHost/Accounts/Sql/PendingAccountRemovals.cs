using Microsoft.Extensions.Hosting;

namespace MailHost.Accounts.Sql;

/// <summary>
/// Finishes, when the host starts, the account removals whose mail deletion a crash or a failing store interrupted
/// (<see cref="SqlAccountDirectory.CompletePendingRemovalsAsync"/>), so removed accounts' mail does not linger.
/// </summary>
internal sealed class PendingAccountRemovals(SqlAccountDirectory directory) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => directory.CompletePendingRemovalsAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
