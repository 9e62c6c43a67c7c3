using MailHost.Dkim;
using MailHost.Storage;
using MailHost.Storage.Postgres;
using MailHost.Storage.Postgres.Queue;
using MailHost.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace MailHost.Tests.Delivery;

public sealed class PostgresDkimKeyStoreTests : DkimKeyStoreConformanceTests<PostgresDkimKeyStore, PostgresOutboundQueueStore>, IRequiresPostgres
{
    private string _database = string.Empty;

    public override async Task InitializeAsync()
    {
        if (PostgresTestServer.SkipReason is null)
        {
            _database = await PostgresTestServer.CreateDatabaseAsync();
        }
    }

    public override async Task DisposeAsync()
    {
        if (_database.Length > 0)
        {
            await PostgresTestServer.DropDatabaseAsync(_database);
        }
    }

    protected override Task<PostgresDkimKeyStore> OpenAsync() => PostgresDkimKeyStore.OpenAsync(_database, CancellationToken.None);

    protected override Task<PostgresOutboundQueueStore> OpenQueueAsync(TimeProvider time) => PostgresOutboundQueueStore.OpenAsync(_database, time, CancellationToken.None);

    protected override PostgresDkimKeyStore OverQueue(PostgresOutboundQueueStore queue) => new(queue);

    protected override IServiceCollection AddQueue(IServiceCollection services) => services.AddPostgresOutboundQueue(_database);

    [StoreFact]
    public async Task Hosts_saving_a_new_domain_at_once_leave_one_key_and_one_says_it_replaced()
    {
        var hosts = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => OpenAsync()));
        try
        {
            var keys = Enumerable.Range(0, hosts.Length).Select(i => DkimKeys.Create("example.com", "s" + i, DkimAlgorithms.Ed25519Sha256, Created)).ToList();

            var saved = await Task.WhenAll(hosts.Select((h, i) => h.SaveAsync(keys[i], CancellationToken.None).AsTask()));

            saved.Should().OnlyContain(r => r.IsSuccess);
            saved.Count(r => !r.Value).Should().Be(1, "exactly one host added the domain");
            keys.Should().Contain((await hosts[0].GetAsync("example.com", CancellationToken.None))!);
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    [StoreFact]
    public async Task The_keys_are_a_component_of_their_own()
    {
        await using (await OpenAsync())
        {
        }

        await using var dataSource = NpgsqlDataSource.Create(_database);
        (await PostgresSchema.GetVersionAsync(dataSource, PostgresDkimSchema.Component, CancellationToken.None)).Should().Be(1);
        (await PostgresSchema.GetVersionAsync(dataSource, PostgresQueueSchema.Component, CancellationToken.None)).Should().Be(0, "a tool opening the keys does not create the queue");
    }

    [StoreFact]
    public async Task A_database_that_cannot_be_reached_is_unavailable_when_saving_and_throws_when_reading()
    {
        await using var queue = new PostgresOutboundQueueStore("Host=127.0.0.1;Port=1;Timeout=3;Username=nobody;Database=none");
        var store = new PostgresDkimKeyStore(queue);

        var saved = await store.SaveAsync(DkimKeys.Create("example.com", "s1", DkimAlgorithms.Ed25519Sha256, Created), CancellationToken.None);

        saved.Error!.Code.Should().Be(StoreErrorCode.Unavailable);
        await FluentActions.Awaiting(async () => await store.GetAsync("example.com", CancellationToken.None)).Should().ThrowAsync<NpgsqlException>("no key is not the same as no database");
    }
}
