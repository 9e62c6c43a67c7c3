using MailHost.Storage.Postgres;
using MailHost.TestSupport;
using Npgsql;

namespace MailHost.Tests.Storage.Postgres;

/// <summary>
/// The data sources every PostgreSQL component uses: statements used again and again on a connection are prepared
/// there (parsed and planned once), unless the connection string says otherwise.
/// </summary>
[Collection(StoreCollection.Name)]
public sealed class PostgresDataSourcesTests : IRequiresPostgres
{
    // The statements here touch no table: the server's own database will do.
    private static string Server => PostgresTestServer.ConnectionString!;

    [Theory]
    [InlineData("", false)]
    [InlineData(";Max Auto Prepare=0", true)]
    [InlineData(";MaxAutoPrepare=8", true)]
    public void Only_a_connection_string_that_names_automatic_preparation_sets_it(string extra, bool sets)
    {
        var builder = new NpgsqlConnectionStringBuilder("Host=localhost;Username=mailhost" + extra);

        // The builder's own ContainsKey says true for every keyword it knows, set or not.
        builder.ContainsKey("Max Auto Prepare").Should().BeTrue();
        PostgresDataSources.SetsMaxAutoPrepare(builder).Should().Be(sets);
    }

    [StoreFact]
    public async Task A_statement_used_again_and_again_is_prepared_on_the_connection()
    {
        (await PreparedAfterRepeatsAsync(Server)).Should().BeGreaterThan(0, "the statement runs from a prepared statement after a few uses");
    }

    [StoreFact]
    public async Task A_connection_string_that_turns_preparation_off_is_obeyed()
    {
        (await PreparedAfterRepeatsAsync(Server + ";Max Auto Prepare=0")).Should().Be(0);
    }

    // Runs one statement ten times on one pooled connection and counts the statements PostgreSQL holds prepared for it.
    private static async Task<long> PreparedAfterRepeatsAsync(string connectionString)
    {
        await using var dataSource = PostgresDataSources.Create(connectionString);
        await using var connection = await dataSource.OpenConnectionAsync();
        for (var i = 0; i < 10; i++)
        {
            await using var command = new NpgsqlCommand("SELECT $1::int + 1", connection) { Parameters = { new NpgsqlParameter { Value = i } } };
            (await command.ExecuteScalarAsync()).Should().Be(i + 1);
        }

        await using var count = new NpgsqlCommand("SELECT COUNT(*) FROM pg_prepared_statements WHERE statement LIKE '%$1::int + 1%'", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
