using System.Globalization;
using Npgsql;

namespace MailHost.TestSupport;

/// <summary>
/// The PostgreSQL server the PostgreSQL tests use: the one named by <c>MAILHOST_TEST_POSTGRES</c> (a connection
/// string whose user may create databases; <c>.ci/run</c> starts a throwaway cluster and sets it). Without it the
/// tests are skipped and say why, unless <c>MAILHOST_REQUIRE_POSTGRES=1</c> (CI), where they fail instead.
/// </summary>
public static class PostgresTestServer
{
    private const string Variable = "MAILHOST_TEST_POSTGRES";
    private static int _databases;

    /// <summary>The server's connection string, or <see langword="null"/> when none is configured.</summary>
    public static string? ConnectionString { get; } = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    /// <summary>Whether <c>MAILHOST_REQUIRE_POSTGRES=1</c> (CI) makes missing prerequisites fail the tests instead of skipping them.</summary>
    public static bool Required { get; } = Environment.GetEnvironmentVariable("MAILHOST_REQUIRE_POSTGRES") == "1";

    /// <summary>Why the PostgreSQL tests are skipped here, or <see langword="null"/> when they run.</summary>
    public static string? SkipReason =>
        ConnectionString is null && !Required
            ? $"PostgreSQL tests skipped: {Variable} is not set (a connection string to a PostgreSQL 15+ server with pg_trgm, whose user may create databases; .ci/run starts one)."
            : null;

    /// <summary>Creates an empty database for one test and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var server = ConnectionString ?? throw new InvalidOperationException($"{Variable} is not set: the PostgreSQL tests need a server.");
        var name = string.Create(CultureInfo.InvariantCulture, $"mailhost_test_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}");
        await using (var dataSource = NpgsqlDataSource.Create(server))
        await using (var command = dataSource.CreateCommand($"CREATE DATABASE \"{name}\""))
        {
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>, closing what is still connected to it.</summary>
    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString!);
        await using var command = dataSource.CreateCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        await command.ExecuteNonQueryAsync();
    }
}
