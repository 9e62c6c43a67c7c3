namespace MailHost.IntegrationTests.Infrastructure;

/// <summary>
/// A protocol suite run once per store by derived classes: each test gets its <see cref="MailWorld"/> over a fresh
/// store of the kind given, disposed (with its directory) when the test ends.
/// </summary>
public abstract class MailWorldTests(TestStoreKind kind) : IAsyncLifetime
{
    private TestStore? _store;

    protected TestStoreKind StoreKind => kind;

    /// <summary>A world whose servers use this test's store; every world of one test shares that store.</summary>
    protected async Task<MailWorld> NewWorldAsync()
    {
        _store ??= await TestStore.OpenAsync(kind);
        return new MailWorld(_store.Store);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }
}
