using MailHost.Storage;
using MailHost.Storage.InMemory;

namespace MailHost.Tests.Storage;

[Collection(StoreCollection.Name)]
public sealed class InMemoryMailStoreTests : MailStoreConformanceTests
{
    protected override bool ContentLivesInMemory => true;

    protected override Task<IMailStore> CreateStoreCoreAsync(QuotaLimits? defaultQuota)
        => Task.FromResult<IMailStore>(new InMemoryMailStore(null, defaultQuota, Clock));

    // Memory is the store: a "restart" keeps the same instance, which is what the contract needs to observe.
    protected override Task<IMailStore> ReopenStoreCoreAsync(IMailStore store) => Task.FromResult(store);

    // Content lives as long as something references it; released content has no references left.
    protected override Task<bool> IsReleasedAsync(IMailStore store, MessageContent content)
    {
        lock (((InMemoryMailStore)store).Gate)
        {
            return Task.FromResult(((MemoryContent)content).References == 0);
        }
    }
}
