using MailHost.Storage.Sqlite.Queue;
using MailHost.Tests.Accounts;
using Microsoft.Extensions.DependencyInjection;

namespace MailHost.Tests.Delivery;

public sealed class SqliteDkimKeyStoreTests : DkimKeyStoreConformanceTests<SqliteDkimKeyStore, SqliteOutboundQueueStore>
{
    private readonly TempDirectory _directory = new();

    public override Task DisposeAsync()
    {
        _directory.Dispose();
        return Task.CompletedTask;
    }

    protected override Task<SqliteDkimKeyStore> OpenAsync() => SqliteDkimKeyStore.OpenAsync(_directory.FullPath, CancellationToken.None);

    protected override Task<SqliteOutboundQueueStore> OpenQueueAsync(TimeProvider time) => SqliteOutboundQueueStore.OpenAsync(_directory.FullPath, time, CancellationToken.None);

    protected override SqliteDkimKeyStore OverQueue(SqliteOutboundQueueStore queue) => new(queue);

    protected override IServiceCollection AddQueue(IServiceCollection services) => services.AddSqliteOutboundQueue(_directory.FullPath);
}
