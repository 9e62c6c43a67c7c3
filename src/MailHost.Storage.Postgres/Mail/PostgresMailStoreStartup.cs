using Microsoft.Extensions.Hosting;

namespace MailHost.Storage.Postgres.Mail;

/// <summary>Opens the PostgreSQL mail store when the host starts, so a database that cannot be reached stops the start.</summary>
internal sealed class PostgresMailStoreStartup(PostgresMailStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.OpenAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
