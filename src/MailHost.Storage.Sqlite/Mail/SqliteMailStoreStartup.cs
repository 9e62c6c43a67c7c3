using Microsoft.Extensions.Hosting;

namespace MailHost.Storage.Sqlite.Mail;

/// <summary>Opens the store (migrations and the start-up check) when the host starts, so problems show at once.</summary>
internal sealed class SqliteMailStoreStartup : IHostedService
{
    private readonly SqliteMailStore _store;

    public SqliteMailStoreStartup(SqliteMailStore store) => _store = store;

    public Task StartAsync(CancellationToken cancellationToken) => _store.OpenAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
