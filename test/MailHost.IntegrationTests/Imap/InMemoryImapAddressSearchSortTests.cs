using MailHost.Storage;
using MailHost.Storage.InMemory;

namespace MailHost.IntegrationTests.Imap;

/// <summary>The address and subject SEARCH and SORT rules on the in-memory store.</summary>
public sealed class InMemoryImapAddressSearchSortTests : ImapAddressSearchSortTests
{
    protected override Task<IMailStore> OpenStoreAsync() => Task.FromResult<IMailStore>(new InMemoryMailStore());
}
