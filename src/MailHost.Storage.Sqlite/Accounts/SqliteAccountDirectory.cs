using System.Data.Common;
using MailHost.Accounts.Sql;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace MailHost.Storage.Sqlite.Accounts;

/// <summary>
/// The embedded account directory: <see cref="SqlAccountDirectory"/> in one SQLite database (by convention
/// <c>&lt;DataDirectory&gt;/directory.db</c>). Writes run in <c>BEGIN IMMEDIATE</c> transactions, which serialise
/// them against every other process using the same file; reads run in deferred transactions, one snapshot each.
/// </summary>
public sealed class SqliteAccountDirectory : SqlAccountDirectory
{
    /// <summary>Creates a directory over <paramref name="databasePath"/>; the file is created and migrated on first use.</summary>
    /// <param name="databasePath">The database file, for example <c>data/directory.db</c>.</param>
    /// <param name="logger">Receives migration and change messages; <see langword="null"/> for none.</param>
    /// <param name="timeProvider">The clock for creation times; <see langword="null"/> for the system clock.</param>
    /// <param name="mailStore">
    /// The store holding the accounts' mail, which removing an account empties and adding one clears of leftovers;
    /// <see langword="null"/> for a directory on its own.
    /// </param>
    public SqliteAccountDirectory(string databasePath, ILogger? logger = null, TimeProvider? timeProvider = null, IMailStore? mailStore = null)
        : base(logger, timeProvider, mailStore)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        DatabasePath = Path.GetFullPath(databasePath);
    }

    /// <summary>The full path of the database file.</summary>
    public string DatabasePath { get; }

    /// <inheritdoc />
    protected override string DatabaseDescription => DatabasePath;

    /// <summary>Creates a directory over <paramref name="databasePath"/> and brings its schema up to date.</summary>
    /// <exception cref="InvalidOperationException">The database was written by a newer MailHost.</exception>
    /// <exception cref="SqliteException">The file cannot be opened or is not a database.</exception>
    public static Task<SqliteAccountDirectory> OpenAsync(string databasePath, ILogger? logger, CancellationToken cancellationToken)
        => OpenAsync(databasePath, logger, TimeProvider.System, cancellationToken);

    /// <summary>Creates a directory over <paramref name="databasePath"/> with <paramref name="timeProvider"/> as its clock, and brings its schema up to date.</summary>
    /// <exception cref="InvalidOperationException">The database was written by a newer MailHost.</exception>
    /// <exception cref="SqliteException">The file cannot be opened or is not a database.</exception>
    public static Task<SqliteAccountDirectory> OpenAsync(string databasePath, ILogger? logger, TimeProvider timeProvider, CancellationToken cancellationToken)
        => OpenAsync(databasePath, null, logger, timeProvider, cancellationToken);

    /// <summary>
    /// Creates a directory over <paramref name="databasePath"/> that removes and clears accounts' mail in
    /// <paramref name="mailStore"/>, and brings its schema up to date.
    /// </summary>
    /// <exception cref="InvalidOperationException">The database was written by a newer MailHost.</exception>
    /// <exception cref="SqliteException">The file cannot be opened or is not a database.</exception>
    public static async Task<SqliteAccountDirectory> OpenAsync(
        string databasePath, IMailStore? mailStore, ILogger? logger, TimeProvider? timeProvider, CancellationToken cancellationToken)
    {
        var directory = new SqliteAccountDirectory(databasePath, logger, timeProvider, mailStore);
        await directory.InitializeAsync(cancellationToken).ConfigureAwait(false);
        return directory;
    }

    /// <inheritdoc />
    protected override async Task<(int FromVersion, int Applied)> MigrateCoreAsync(CancellationToken cancellationToken)
    {
        var connection = await SqliteDatabase.OpenAsync(DatabasePath, cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var from = await SqliteDatabase.GetUserVersionAsync(connection, cancellationToken).ConfigureAwait(false);
            var applied = await SqliteDatabase.MigrateAsync(connection, SqliteAccountDirectorySchema.Migrations, cancellationToken).ConfigureAwait(false);
            return (from, applied);
        }
    }

    /// <inheritdoc />
    protected override async Task<DbConnection> OpenConnectionCoreAsync(CancellationToken cancellationToken) =>
        await SqliteDatabase.OpenAsync(DatabasePath, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    protected override Task<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: true));

    /// <inheritdoc />
    protected override Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));
}
