using MailHost.Storage;
using MailHost.Storage.Postgres.Mail;
using MailHost.TestSupport;
using Npgsql;

namespace MailHost.Tests.Storage.Postgres;

/// <summary>
/// Writes deferred to the commit (<see cref="PgSession.Defer"/>): stored with it, seen by the transaction's later
/// statements, failing the whole write when they fail, and dropped with a refused write.
/// </summary>
[Collection(StoreCollection.Name)]
public sealed class PgSessionDeferTests : IRequiresPostgres, IAsyncLifetime
{
    private string _database = string.Empty;
    private PostgresMailStore? _store;

    private PostgresMailStore Store => _store!;

    public async Task InitializeAsync()
    {
        if (PostgresTestServer.SkipReason is not null)
        {
            return;
        }

        _database = await PostgresTestServer.CreateDatabaseAsync();
        await ExecuteAsync("CREATE TABLE probe (n integer NOT NULL)");
        _store = await PostgresMailStore.OpenAsync(new PostgresMailStoreOptions { ConnectionString = _database }, null, null, default);
    }

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        if (_database.Length > 0)
        {
            await PostgresTestServer.DropDatabaseAsync(_database);
        }
    }

    [StoreFact]
    public async Task Deferred_writes_are_stored_with_the_commit()
    {
        var result = await Store.WriteAsync(
            (s, _) =>
            {
                s.Defer([("INSERT INTO probe (n) VALUES ($1)", [1]), ("INSERT INTO probe (n) VALUES ($1)", [2])]);
                s.HasDeferred.Should().BeTrue();
                return Task.FromResult(StoreResult<bool>.Success(true));
            },
            default);

        result.IsSuccess.Should().BeTrue();
        (await ProbeAsync()).Should().Equal(1, 2);
    }

    [StoreFact]
    public async Task A_later_statement_of_the_transaction_sees_the_deferred_writes()
    {
        long? seen = null;
        await Store.WriteAsync(
            async (s, ct) =>
            {
                s.Defer([("INSERT INTO probe (n) VALUES ($1)", [5])]);
                seen = await s.LongAsync("SELECT count(*) FROM probe WHERE n = 5", ct);
                s.HasDeferred.Should().BeFalse();
                return StoreResult<bool>.Success(true);
            },
            default);

        seen.Should().Be(1);
        (await ProbeAsync()).Should().Equal(5);
    }

    [StoreFact]
    public async Task A_deferred_write_that_fails_fails_the_write_and_nothing_of_it_is_stored()
    {
        var result = await Store.WriteAsync(
            async (s, ct) =>
            {
                await s.ExecAsync("INSERT INTO probe (n) VALUES (7)", ct);
                s.Defer([("INSERT INTO probe (n) VALUES (1 / $1)", [0])]);
                return StoreResult<bool>.Success(true);
            },
            default);

        result.IsSuccess.Should().BeFalse();
        result.Error!.Code.Should().Be(StoreErrorCode.Unavailable);
        (await ProbeAsync()).Should().BeEmpty();
    }

    [StoreFact]
    public async Task A_refused_write_drops_its_deferred_writes()
    {
        var result = await Store.WriteAsync(
            (s, _) =>
            {
                s.Defer([("INSERT INTO probe (n) VALUES ($1)", [9])]);
                return Task.FromResult(StoreResult<bool>.Fail(StoreErrorCode.NotFound, "refused"));
            },
            default);

        result.Error!.Code.Should().Be(StoreErrorCode.NotFound);
        (await ProbeAsync()).Should().BeEmpty();

        // The pooled connection the refused write used serves the next write as usual.
        (await Store.WriteAsync(
            async (s, ct) =>
            {
                await s.ExecAsync("INSERT INTO probe (n) VALUES (10)", ct);
                return StoreResult<bool>.Success(true);
            },
            default)).IsSuccess.Should().BeTrue();
        (await ProbeAsync()).Should().Equal(10);
    }

    [StoreFact]
    public async Task Readers_of_deferred_statements_get_their_rows_in_order()
    {
        var answers = new List<int>();
        var result = await Store.WriteAsync(
            (s, _) =>
            {
                s.Defer(
                    [("INSERT INTO probe (n) VALUES (3)", []), ("SELECT count(*)::int AS answer FROM probe", [])],
                    new Dictionary<string, Action<NpgsqlDataReader>> { ["answer"] = r => answers.Add(r.GetInt32(0)) });
                s.Defer(
                    [("SELECT pg_notify('probe', 'x')", []), ("SELECT 41 AS answer", [])],
                    new Dictionary<string, Action<NpgsqlDataReader>> { ["answer"] = r => answers.Add(r.GetInt32(0)) });
                return Task.FromResult(StoreResult<bool>.Success(true));
            },
            default);

        result.IsSuccess.Should().BeTrue();
        answers.Should().Equal(1, 41);
    }

    [StoreFact]
    public async Task Writes_cannot_be_deferred_outside_a_transaction_nor_jumped_by_a_raw_command()
    {
        await using var dataSource = NpgsqlDataSource.Create(_database);
        await using var connection = await dataSource.OpenConnectionAsync();
        var outside = new PgSession(connection, null);
        outside.Invoking(s => s.Defer([("INSERT INTO probe (n) VALUES (1)", [])])).Should().Throw<InvalidOperationException>();

        await using var transaction = await connection.BeginTransactionAsync();
        var inside = new PgSession(connection, transaction);
        inside.Defer([("INSERT INTO probe (n) VALUES (1)", [])]);
        inside.Invoking(s => s.Command("SELECT 1")).Should().Throw<InvalidOperationException>();
        await inside.FlushAsync(default);
        await using (var command = inside.Command("SELECT count(*) FROM probe"))
        {
            (await command.ExecuteScalarAsync()).Should().Be(1L);
        }

        await inside.CommitAsync(default);
        (await ProbeAsync()).Should().Equal(1);
    }

    private async Task<List<int>> ProbeAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(_database);
        await using var command = dataSource.CreateCommand("SELECT n FROM probe ORDER BY n");
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<int>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetInt32(0));
        }

        return values;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(_database);
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
