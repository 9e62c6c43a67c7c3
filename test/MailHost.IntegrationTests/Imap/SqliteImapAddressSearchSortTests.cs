using MailHost.IntegrationTests.Infrastructure;
using MailHost.Storage;
using MailHost.Storage.Sqlite.Mail;

namespace MailHost.IntegrationTests.Imap;

/// <summary>The address and subject SEARCH and SORT rules on the SQLite store.</summary>
public sealed class SqliteImapAddressSearchSortTests : ImapAddressSearchSortTests, IDisposable
{
    private readonly TempDirectory _directory = new();

    protected override async Task<IMailStore> OpenStoreAsync()
        => await SqliteMailStore.OpenAsync(new SqliteMailStoreOptions { DataDirectory = _directory.Path }, null, null, default);

    public void Dispose() => _directory.Dispose();
}
