using MailHost.Storage.Postgres;
using Npgsql;

using MailHost.TestSupport;

namespace MailHost.Tests.Storage.Postgres;

public sealed class PostgresSchemaTests : IRequiresPostgres, IAsyncLifetime
{
    private static readonly PostgresMigration[] Migrations =
    [
        new(1, "CREATE TABLE probe (id bigint PRIMARY KEY)"),
        new(2, "ALTER TABLE probe ADD COLUMN note text"),
    ];

    private string _database = string.Empty;

    public async Task InitializeAsync()
    {
        if (PostgresTestServer.SkipReason is null)
        {
            _database = await PostgresTestServer.CreateDatabaseAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (_database.Length > 0)
        {
            await PostgresTestServer.DropDatabaseAsync(_database);
        }
    }

    [StoreFact]
    public async Task Hosts_starting_at_once_apply_each_migration_exactly_once()
    {
        var hosts = Enumerable.Range(0, 4).Select(_ => NpgsqlDataSource.Create(_database)).ToList();
        try
        {
            var applied = await Task.WhenAll(hosts.Select(h => PostgresSchema.MigrateAsync(h, "probe", Migrations, default)));

            applied.Sum().Should().Be(2, "one host applies both steps, the others find them done");
            (await PostgresSchema.GetVersionAsync(hosts[0], "probe", default)).Should().Be(2);
            (await PostgresSchema.GetVersionAsync(hosts[0], "other", default)).Should().Be(0);
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
    public async Task A_schema_newer_than_the_code_is_refused_with_a_message_that_says_so()
    {
        await using var dataSource = NpgsqlDataSource.Create(_database);
        await PostgresSchema.MigrateAsync(dataSource, "probe", Migrations, default);

        var older = () => PostgresSchema.MigrateAsync(dataSource, "probe", Migrations[..1], default);

        (await older.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*probe schema version 2, newer than this MailHost knows (1)*");
    }
}
