using MailHost.Storage;
using MailHost.Storage.InMemory;
using MailHost.Storage.Sqlite.Mail;

namespace MailHost.IntegrationTests.Infrastructure;

/// <summary>A fresh store of the given kind for one test; a SQLite store lives in its own temporary directory.</summary>
public sealed class TestStore : IAsyncDisposable
{
    private readonly TempDirectory? _directory;

    private TestStore(IMailStore store, TempDirectory? directory)
    {
        Store = store;
        _directory = directory;
    }

    public IMailStore Store { get; }

    public static async Task<TestStore> OpenAsync(TestStoreKind kind)
    {
        if (kind == TestStoreKind.InMemory)
        {
            return new TestStore(new InMemoryMailStore(), null);
        }

        var directory = new TempDirectory();
        var store = await SqliteMailStore.OpenAsync(new SqliteMailStoreOptions { DataDirectory = directory.Path }, null, null, default).WaitAsync(TimeSpan.FromSeconds(30));
        return new TestStore(store, directory);
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        _directory?.Dispose();
    }
}
