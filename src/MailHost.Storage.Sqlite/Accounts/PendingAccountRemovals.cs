using Microsoft.Extensions.Hosting;

namespace MailHost.Storage.Sqlite.Accounts;

/// <summary>
/// Finishes, when the host starts, the account removals whose mail deletion a crash or a failing store interrupted
/// (<see cref="SqliteAccountDirectory.CompletePendingRemovalsAsync"/>), so removed accounts' mail does not linger.
/// </summary>
internal sealed class PendingAccountRemovals(SqliteAccountDirectory directory) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => directory.CompletePendingRemovalsAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
