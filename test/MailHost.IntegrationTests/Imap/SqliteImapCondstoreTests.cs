using MailHost.IntegrationTests.Infrastructure;
using MailHost.Storage;
using MailHost.Storage.Sqlite.Mail;

namespace MailHost.IntegrationTests.Imap;

/// <summary><see cref="ImapCondstoreTests"/> on a SQLite store in a directory of its own.</summary>
public sealed class SqliteImapCondstoreTests : ImapCondstoreTests
{
    private readonly TempDirectory _directory = new();

    protected override async Task<IMailStore> OpenStoreAsync()
        => await SqliteMailStore.OpenAsync(new SqliteMailStoreOptions { DataDirectory = _directory.Path }, null, null, default);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }
}
