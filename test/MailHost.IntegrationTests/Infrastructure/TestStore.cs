using MailHost.Storage;
using MailHost.Storage.InMemory;
using MailHost.Storage.Postgres.Mail;
using MailHost.Storage.Sqlite.Mail;
using MailHost.TestSupport;

namespace MailHost.IntegrationTests.Infrastructure;

/// <summary>A fresh store of the given kind for one test; a SQLite store lives in its own temporary directory.</summary>
public sealed class TestStore : IAsyncDisposable
{
    private readonly TempDirectory? _directory;
    private readonly string? _database;

    private TestStore(IMailStore store, TempDirectory? directory, string? database = null)
    {
        Store = store;
        _directory = directory;
        _database = database;
    }

    public IMailStore Store { get; }

    public static async Task<TestStore> OpenAsync(TestStoreKind kind)
    {
        if (kind == TestStoreKind.InMemory)
        {
            return new TestStore(new InMemoryMailStore(), null);
        }

        if (kind == TestStoreKind.Postgres)
        {
            // A database of its own, dropped afterwards (the suite is skipped, with the reason, without PostgreSQL).
            var database = await PostgresTestServer.CreateDatabaseAsync().WaitAsync(TimeSpan.FromSeconds(30));
            var postgres = await PostgresMailStore.OpenAsync(new PostgresMailStoreOptions { ConnectionString = database, InstanceId = "test" }, null, null, default).WaitAsync(TimeSpan.FromSeconds(30));
            return new TestStore(postgres, null, database);
        }

        var directory = new TempDirectory();
        var store = await SqliteMailStore.OpenAsync(new SqliteMailStoreOptions { DataDirectory = directory.Path }, null, null, default).WaitAsync(TimeSpan.FromSeconds(30));
        return new TestStore(store, directory);
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        _directory?.Dispose();
        if (_database is not null)
        {
            await PostgresTestServer.DropDatabaseAsync(_database);
        }
    }
}
