using MailHost.Delivery.Queue;
using MailHost.Dkim;
using MailHost.Storage;
using MailHost.Tests.Storage;
using MailHost.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace MailHost.Tests.Delivery;

/// <summary>
/// What every <see cref="IDkimKeyStore"/> does, run against each store by a class deriving from this one: a tool's
/// store (<see cref="OpenAsync"/>) and the server's, over its queue (<see cref="OverQueue"/>), see the same keys.
/// </summary>
public abstract class DkimKeyStoreConformanceTests<TStore, TQueue> : IAsyncLifetime
    where TStore : class, IDkimKeyStore, IAsyncDisposable
    where TQueue : class, IOutboundQueueStore, IAsyncDisposable
{
    protected static readonly DateTimeOffset Created = new(2026, 3, 1, 12, 0, 0, 123, TimeSpan.Zero);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Opens the key store on its own, as a tool does; every call opens the same keys.</summary>
    protected abstract Task<TStore> OpenAsync();

    /// <summary>Opens the queue whose storage holds the same keys, as the server does.</summary>
    protected abstract Task<TQueue> OpenQueueAsync(TimeProvider time);

    /// <summary>The server's key store, over its queue.</summary>
    protected abstract TStore OverQueue(TQueue queue);

    /// <summary>Registers the queue (and with it the key store) on the storage of this test.</summary>
    protected abstract IServiceCollection AddQueue(IServiceCollection services);

    [StoreFact]
    public async Task A_saved_key_survives_reopening_and_is_found_by_canonical_domain()
    {
        var key = DkimKeys.Create("example.com", "mh20260301", DkimAlgorithms.Ed25519Sha256, Created);
        await using (var store = await OpenAsync())
        {
            (await store.SaveAsync(key with { Domain = "Example.COM." }, CancellationToken.None)).Should().Be(StoreResult<bool>.Success(false));
        }

        await using var reopened = await OpenAsync();
        (await reopened.GetAsync("EXAMPLE.com", CancellationToken.None)).Should().Be(key);
        (await reopened.GetAsync("other.test", CancellationToken.None)).Should().BeNull();
        (await reopened.GetAsync("not a domain", CancellationToken.None)).Should().BeNull();
    }

    [StoreFact]
    public async Task Saving_again_replaces_the_key_of_the_domain_and_says_so()
    {
        await using var store = await OpenAsync();
        var first = DkimKeys.Create("example.com", "s1", DkimAlgorithms.RsaSha256, Created);
        var second = DkimKeys.Create("example.com", "s2", DkimAlgorithms.Ed25519Sha256, Created.AddDays(30));
        var other = DkimKeys.Create("example.org", "s1", DkimAlgorithms.Ed25519Sha256, Created);

        (await store.SaveAsync(first, CancellationToken.None)).Value.Should().BeFalse();
        (await store.SaveAsync(other, CancellationToken.None)).Value.Should().BeFalse();
        (await store.SaveAsync(second, CancellationToken.None)).Value.Should().BeTrue();

        (await store.GetAsync("example.com", CancellationToken.None)).Should().Be(second);
        (await store.GetAsync("example.org", CancellationToken.None)).Should().Be(other);
    }

    [StoreFact]
    public async Task Invalid_keys_are_refused_as_values_and_unknown_algorithms_are_kept_as_written()
    {
        await using var store = await OpenAsync();
        var key = DkimKeys.Create("example.com", "s1", DkimAlgorithms.RsaSha256, Created);

        (await store.SaveAsync(key with { Selector = "s 1" }, CancellationToken.None)).Error!.Code.Should().Be(StoreErrorCode.InvalidArgument);
        (await store.SaveAsync(key with { Domain = "bad domain" }, CancellationToken.None)).Error!.Code.Should().Be(StoreErrorCode.InvalidArgument);
        (await store.GetAsync("example.com", CancellationToken.None)).Should().BeNull();

        // A newer version's algorithm is stored and read back as is; the signer decides not to use it.
        (await store.SaveAsync(key with { Algorithm = "ed448-sha256" }, CancellationToken.None)).IsSuccess.Should().BeTrue();
        (await store.GetAsync("example.com", CancellationToken.None))!.Algorithm.Should().Be("ed448-sha256");
    }

    [StoreFact]
    public async Task A_key_saved_by_a_tool_is_seen_at_once_through_a_running_queue()
    {
        var time = new FakeTimeProvider(Created);
        await using var queue = await OpenQueueAsync(time);
        var server = OverQueue(queue);
        (await server.GetAsync("example.com", CancellationToken.None)).Should().BeNull();

        var key = DkimKeys.Create("example.com", "s1", DkimAlgorithms.RsaSha256, Created);
        await using (var tool = await OpenAsync())
        {
            (await tool.SaveAsync(key, CancellationToken.None)).IsSuccess.Should().BeTrue();
        }

        (await server.GetAsync("example.com", CancellationToken.None)).Should().Be(key);
        await server.DisposeAsync();
        (await queue.ListAsync(CancellationToken.None)).Should().BeEmpty("disposing the key store leaves the queue usable");
    }

    [StoreFact]
    public async Task The_queue_registration_provides_the_key_store()
    {
        var services = AddQueue(new ServiceCollection());
        await using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<IDkimKeyStore>();

        store.Should().BeOfType<TStore>();
        var key = DkimKeys.Create("example.com", "s1", DkimAlgorithms.Ed25519Sha256, Created);
        (await store.SaveAsync(key, CancellationToken.None)).IsSuccess.Should().BeTrue();
        (await store.GetAsync("example.com", CancellationToken.None)).Should().Be(key);
    }
}
