using MailHost.Storage;
using MailHost.Storage.InMemory;

namespace MailHost.IntegrationTests.Imap;

/// <summary><see cref="ImapMailboxNameTests"/> on the in-memory store.</summary>
public sealed class InMemoryImapMailboxNameTests : ImapMailboxNameTests
{
    protected override Task<IMailStore> CreateStoreAsync() => Task.FromResult<IMailStore>(new InMemoryMailStore());
}
