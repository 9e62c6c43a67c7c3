using MailHost.Storage;
using MailHost.Storage.Postgres.Mail;

using MailHost.TestSupport;

namespace MailHost.Tests.Storage.Postgres;

/// <summary>The store contract against <see cref="PostgresMailStore"/>: one fresh database per store, dropped at the end.</summary>
[Collection(StoreCollection.Name)]
public sealed class PostgresMailStoreTests : MailStoreConformanceTests, IRequiresPostgres, IAsyncLifetime
{
    private readonly Dictionary<IMailStore, string> _databases = new(ReferenceEqualityComparer.Instance);
    private readonly List<string> _created = [];

    protected override async Task<IMailStore> CreateStoreCoreAsync(QuotaLimits? defaultQuota)
    {
        var database = await PostgresTestServer.CreateDatabaseAsync();
        _created.Add(database);
        var store = await PostgresMailStore.OpenAsync(Options(database, defaultQuota), null, Clock, default);
        _databases[store] = database;
        return store;
    }

    protected override async Task<IMailStore> ReopenStoreCoreAsync(IMailStore store)
    {
        var database = _databases[store];
        var options = ((PostgresMailStore)store).Options;
        _databases.Remove(store);
        await store.DisposeAsync();
        var reopened = await PostgresMailStore.OpenAsync(options, null, Clock, default);
        _databases[reopened] = database;
        return reopened;
    }

    // Released content has no contents row any more (its chunks went in the same transaction).
    protected override async Task<bool> IsReleasedAsync(IMailStore store, MessageContent content)
    {
        await ((PostgresMailStore)store).Retained.ReleaseAsync(default).WaitAsync(Timeout);
        var stream = await content.OpenAsync(default).AsTask().WaitAsync(Timeout);
        if (stream is null)
        {
            return true;
        }

        await stream.DisposeAsync();
        return false;
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        foreach (var database in _created)
        {
            await PostgresTestServer.DropDatabaseAsync(database);
        }
    }

    private static PostgresMailStoreOptions Options(string database, QuotaLimits? quota) => new()
    {
        ConnectionString = database,
        DefaultQuota = quota ?? QuotaLimits.Unlimited,
        InstanceId = "conformance",
    };
}
