using MailHost.Accounts;
using MailHost.Accounts.Sql;
using MailHost.Storage;
using MailHost.Storage.Postgres.Accounts;
using MailHost.Storage.Sqlite;
using MailHost.Storage.Sqlite.Accounts;
using MailHost.TestSupport;
using Npgsql;

namespace MailHost.Tests.Accounts;

/// <summary>
/// A fresh directory database per test, with a 30 s limit on every call: a SQLite file in a unique temporary folder,
/// or, in a class marked <see cref="IRequiresPostgres"/>, a new PostgreSQL database (dropped afterwards).
/// </summary>
public abstract class DirectoryTestBase : IAsyncLifetime, IDisposable
{
    protected const int Iterations = PasswordRecord.MinimumIterations;

    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));
    private readonly List<PostgresAccountDirectory> _opened = [];
    private string? _postgres;

    protected TempDirectory Temp { get; } = new();

    protected ManualTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    protected RecordingLogger Logger { get; } = new();

    protected CancellationToken Ct => _timeout.Token;

    protected string DatabasePath => Temp.File("directory.db");

    /// <summary>The connection string of the test's PostgreSQL database (in a class marked <see cref="IRequiresPostgres"/>).</summary>
    protected string PostgresConnectionString => _postgres ?? throw new InvalidOperationException("This test runs on SQLite.");

    private bool OnPostgres => this is IRequiresPostgres;

    public async Task InitializeAsync()
    {
        if (OnPostgres && PostgresTestServer.SkipReason is null)
        {
            _postgres = await PostgresTestServer.CreateDatabaseAsync();
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var directory in _opened)
        {
            await directory.DisposeAsync();
        }

        if (_postgres is not null)
        {
            await PostgresTestServer.DropDatabaseAsync(_postgres);
        }
    }

    /// <summary>Opens the directory under test; every call is another instance over the same database, as another host would be.</summary>
    protected Task<SqlAccountDirectory> OpenAsync() => OpenAsync(null);

    /// <summary>Opens the directory under test with <paramref name="mailStore"/> as the store of the accounts' mail.</summary>
    protected async Task<SqlAccountDirectory> OpenAsync(IMailStore? mailStore)
    {
        if (!OnPostgres)
        {
            return await SqliteAccountDirectory.OpenAsync(DatabasePath, mailStore, Logger, Time, Ct);
        }

        var directory = await PostgresAccountDirectory.OpenAsync(_postgres!, mailStore, Logger, Time, Ct);
        _opened.Add(directory);
        return directory;
    }

    /// <summary>A directory with example.com and example.org, and alice (alice@example.com, a.smith@example.com) with password "secret".</summary>
    protected Task<SqlAccountDirectory> OpenWithAliceAsync() => OpenWithAliceAsync(null);

    /// <summary>The same, with <paramref name="mailStore"/> as the store of the accounts' mail.</summary>
    protected async Task<SqlAccountDirectory> OpenWithAliceAsync(IMailStore? mailStore)
    {
        var directory = await OpenAsync(mailStore);
        (await directory.AddDomainAsync("example.com", Ct)).Succeeded.Should().BeTrue();
        (await directory.AddDomainAsync("example.org", Ct)).Succeeded.Should().BeTrue();
        var added = await directory.AddAccountAsync("alice", ["alice@example.com", "a.smith@example.com"], PasswordRecord.Create("secret", Iterations), Ct);
        added.Succeeded.Should().BeTrue(added.Message);
        return directory;
    }

    /// <summary>Runs <paramref name="sql"/> against the directory's tables behind its back (to store what it never writes itself).</summary>
    protected async Task ExecuteSqlAsync(string sql)
    {
        if (!OnPostgres)
        {
            await using var sqlite = await SqliteDatabase.OpenAsync(DatabasePath, Ct);
            await using var command = sqlite.CreateCommand();
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync(Ct);
            return;
        }

        var builder = new NpgsqlConnectionStringBuilder(_postgres) { SearchPath = PostgresAccountDirectory.SchemaName };
        await using var dataSource = NpgsqlDataSource.Create(builder);
        await using var postgres = dataSource.CreateCommand(sql);
        await postgres.ExecuteNonQueryAsync(Ct);
    }

    /// <summary>Runs <paramref name="sql"/> against the directory's tables and returns the first column of its first row.</summary>
    protected async Task<object?> QueryScalarAsync(string sql)
    {
        if (!OnPostgres)
        {
            await using var sqlite = await SqliteDatabase.OpenAsync(DatabasePath, Ct);
            await using var command = sqlite.CreateCommand();
            command.CommandText = sql;
            return await command.ExecuteScalarAsync(Ct);
        }

        var builder = new NpgsqlConnectionStringBuilder(_postgres) { SearchPath = PostgresAccountDirectory.SchemaName };
        await using var dataSource = NpgsqlDataSource.Create(builder);
        await using var postgres = dataSource.CreateCommand(sql);
        return await postgres.ExecuteScalarAsync(Ct);
    }

    public void Dispose()
    {
        _timeout.Dispose();
        Temp.Dispose();
        GC.SuppressFinalize(this);
    }
}
