using System.Buffers.Binary;
using System.Data;
using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using MailHost.Accounts.Sql;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MailHost.Storage.Postgres.Accounts;

/// <summary>
/// The account directory in PostgreSQL, shared by every host of a site: <see cref="SqlAccountDirectory"/> in the
/// schema <c>mailhost_directory</c> of the database. Writes take a transaction-level advisory lock first, so the
/// directory's writers, on every host, run one after the other as SQLite's file lock makes them; reads run in one
/// repeatable-read snapshot each. Owns its connection pool: dispose it with the host.
/// </summary>
public sealed class PostgresAccountDirectory : SqlAccountDirectory, IAsyncDisposable
{
    /// <summary>The PostgreSQL schema that holds the directory's tables, apart from the mail store's.</summary>
    public const string SchemaName = "mailhost_directory";

    // pg_advisory_xact_lock key of the directory's writers: "MHdirect" in ASCII.
    private const long WriteLock = 0x4D48646972656374;

    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Creates a directory over the database of <paramref name="connectionString"/>; its schema is migrated on first use.</summary>
    /// <param name="connectionString">An Npgsql connection string; its search path is set to <see cref="SchemaName"/>.</param>
    /// <param name="logger">Receives migration and change messages; <see langword="null"/> for none.</param>
    /// <param name="timeProvider">The clock for creation times; <see langword="null"/> for the system clock.</param>
    /// <param name="mailStore">The store holding the accounts' mail (see <see cref="SqlAccountDirectory"/>); <see langword="null"/> for none.</param>
    public PostgresAccountDirectory(string connectionString, ILogger? logger = null, TimeProvider? timeProvider = null, IMailStore? mailStore = null)
        : base(logger, timeProvider, mailStore)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = SchemaName };
        DatabaseDescription = $"PostgreSQL database '{builder.Database}' on '{builder.Host}'";
        _dataSource = PostgresDataSources.Create(builder);
    }

    /// <inheritdoc />
    protected override string DatabaseDescription { get; }

    /// <summary>Creates a directory and brings its schema up to date.</summary>
    /// <exception cref="InvalidOperationException">The database holds a newer directory schema than this MailHost knows.</exception>
    /// <exception cref="NpgsqlException">The database cannot be reached.</exception>
    public static async Task<PostgresAccountDirectory> OpenAsync(
        string connectionString, IMailStore? mailStore, ILogger? logger, TimeProvider? timeProvider, CancellationToken cancellationToken)
    {
        var directory = new PostgresAccountDirectory(connectionString, logger, timeProvider, mailStore);
        try
        {
            await directory.InitializeAsync(cancellationToken).ConfigureAwait(false);
            return directory;
        }
        catch
        {
            await directory.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <inheritdoc />
    protected override async Task<(int FromVersion, int Applied)> MigrateCoreAsync(CancellationToken cancellationToken)
    {
        await PostgresSchema.EnsureSchemaAsync(_dataSource, SchemaName, cancellationToken).ConfigureAwait(false);
        var from = await PostgresSchema.GetVersionAsync(_dataSource, PostgresAccountDirectorySchema.Component, cancellationToken).ConfigureAwait(false);
        var applied = await PostgresSchema.MigrateAsync(_dataSource, PostgresAccountDirectorySchema.Component, PostgresAccountDirectorySchema.Migrations, cancellationToken).ConfigureAwait(false);
        return (from, applied);
    }

    /// <inheritdoc />
    protected override async Task<DbConnection> OpenConnectionCoreAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    protected override async Task<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await ((NpgsqlConnection)connection).BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    /// <remarks>Without the directory's write lock: logins on every host would otherwise queue behind one another.</remarks>
    protected override async Task<DbTransaction> BeginHistoryWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await ((NpgsqlConnection)connection).BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    /// <remarks>A transaction-level advisory lock per history: logins of different accounts do not wait for each other.</remarks>
    protected override async Task LockHistoryAsync(DbConnection connection, DbTransaction transaction, string history, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", (NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
        command.Parameters.AddWithValue("key", HistoryKey(history));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    // 64 bits of SHA-256 over a prefix and the history's name: apart from every other advisory lock of the database.
    private static long HistoryKey(string history) =>
        BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes("mailhost-login-history:" + history)));

    /// <inheritdoc />
    protected override async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var npgsql = (NpgsqlConnection)connection;
        var transaction = await npgsql.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({WriteLock})", npgsql, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
