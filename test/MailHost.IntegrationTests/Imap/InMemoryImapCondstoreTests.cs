using MailHost.Storage;
using MailHost.Storage.InMemory;

namespace MailHost.IntegrationTests.Imap;

/// <summary><see cref="ImapCondstoreTests"/> on the in-memory store.</summary>
public sealed class InMemoryImapCondstoreTests : ImapCondstoreTests
{
    protected override Task<IMailStore> OpenStoreAsync() => Task.FromResult<IMailStore>(new InMemoryMailStore());
}
