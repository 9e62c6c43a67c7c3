using MailHost.Storage;
using MailHost.Storage.Postgres.Mail;
using Npgsql;

using MailHost.TestSupport;

namespace MailHost.Tests.Storage.Postgres;

[Collection(StoreCollection.Name)]
public sealed class PostgresMailCheckTests : IRequiresPostgres, IAsyncLifetime
{
    private string _database = string.Empty;

    public async Task InitializeAsync()
    {
        if (PostgresTestServer.SkipReason is null)
        {
            _database = await PostgresTestServer.CreateDatabaseAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (_database.Length > 0)
        {
            await PostgresTestServer.DropDatabaseAsync(_database);
        }
    }

    [StoreFact]
    public async Task The_check_recomputes_counters_and_removes_unreferenced_content()
    {
        await using var store = await PostgresMailStore.OpenAsync(new PostgresMailStoreOptions { ConnectionString = _database }, null, null, default);
        var account = (await store.OpenAccountAsync("alice", default)).Value;
        var size = (await account.AppendAsync("INBOX", TestMessages.Stream(TestMessages.Simple("One")), AppendOptions.Default, default)).Value.Size;
        await using (var dataSource = NpgsqlDataSource.Create(_database))
        await using (var corrupt = dataSource.CreateCommand(
            "UPDATE contents SET refs = 7; UPDATE accounts SET storage_used = 1, messages_used = 9; INSERT INTO content_blobs (address, size, chunk_size) VALUES ('orphan', 0, 1024)"))
        {
            await corrupt.ExecuteNonQueryAsync();
        }

        var report = await store.CheckAsync(default);

        report.SchemaVersion.Should().Be(PostgresMailSchema.Migrations[^1].Version);
        report.CountersRepaired.Should().Be(2);
        report.OrphanedBlobsRemoved.Should().Be(1);
        report.MissingBlobs.Should().Be(0);
        var quota = await ((IMailAccountQuota)account).GetQuotaAsync(default);
        quota.StorageUsed.Should().Be(size);
        quota.MessagesUsed.Should().Be(1);
        store.LastCheck.Should().Be(report);
        (await store.CheckAsync(default)).CountersRepaired.Should().Be(0);
    }
}
