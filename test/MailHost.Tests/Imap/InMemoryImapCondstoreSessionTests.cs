using MailHost.Storage;
using MailHost.Storage.InMemory;

namespace MailHost.Tests.Imap;

/// <summary><see cref="ImapCondstoreSessionTests"/> on the in-memory store.</summary>
public sealed class InMemoryImapCondstoreSessionTests : ImapCondstoreSessionTests
{
    protected override Task<IMailStore> OpenStoreAsync() => Task.FromResult<IMailStore>(new InMemoryMailStore());
}
