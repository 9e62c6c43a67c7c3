using MailHost.Storage;
using MailHost.Storage.Sqlite.Mail;

namespace MailHost.Tests.Imap;

/// <summary><see cref="ImapCondstoreSessionTests"/> on a SQLite store in a directory of its own.</summary>
public sealed class SqliteImapCondstoreSessionTests : ImapCondstoreSessionTests
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mailhost-condstore-" + Guid.NewGuid().ToString("N"));

    protected override async Task<IMailStore> OpenStoreAsync()
        => await SqliteMailStore.OpenAsync(new SqliteMailStoreOptions { DataDirectory = _directory }, null, null, default);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held for a moment; the system's temp folder is cleaned eventually.
        }
    }
}
