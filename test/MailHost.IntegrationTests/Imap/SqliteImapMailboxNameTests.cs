using MailHost.IntegrationTests.Infrastructure;
using MailHost.Storage;
using MailHost.Storage.Sqlite.Mail;

namespace MailHost.IntegrationTests.Imap;

/// <summary><see cref="ImapMailboxNameTests"/> on a SQLite store in a temporary directory.</summary>
public sealed class SqliteImapMailboxNameTests : ImapMailboxNameTests
{
    private readonly TempDirectory _directory = new();

    protected override async Task<IMailStore> CreateStoreAsync()
        => await SqliteMailStore.OpenAsync(new SqliteMailStoreOptions { DataDirectory = _directory.Path }, null, null, default);

    protected override void DisposeCore() => _directory.Dispose();
}
