using System.Globalization;
using Microsoft.Data.Sqlite;

namespace MailHost.Storage.Sqlite;

/// <summary>
/// Opens SQLite databases the way every MailHost store needs them (WAL, full sync, foreign keys, a busy
/// timeout) and brings their schema up to date with numbered, forward-only migrations.
/// </summary>
internal static class SqliteDatabase
{
    /// <summary>How long a statement waits for another connection's lock unless a store is configured otherwise.</summary>
    public static readonly TimeSpan DefaultBusyTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Builds a connection string for a database file; the file and its directory are created on open. The driver's
    /// command timeout is the busy timeout (whole seconds, at least one): the driver retries a statement that met
    /// SQLITE_BUSY until it passes, so it bounds the wait as much as SQLite's own busy timeout does.
    /// </summary>
    public static string ConnectionString(string path, bool readOnly = false, TimeSpan? busyTimeout = null) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
        Cache = SqliteCacheMode.Private,
        Pooling = true,
        DefaultTimeout = Math.Max(1, (int)Math.Ceiling((busyTimeout ?? DefaultBusyTimeout).TotalSeconds)),
    }.ToString();

    /// <summary>
    /// Opens a connection and applies the durability settings: <c>journal_mode=WAL</c>, <c>synchronous=FULL</c>
    /// (a commit is on disk when it returns), <c>foreign_keys=ON</c> and a busy timeout. A missing directory and
    /// database file are created owner-only (<see cref="OwnerOnlyFiles"/>) before SQLite sees them, so the database
    /// and the <c>-wal</c>, <c>-shm</c> and <c>-journal</c> files SQLite adds beside it are never readable by other
    /// users: they hold password records, private keys and mail.
    /// </summary>
    /// <param name="path">The database file.</param>
    /// <param name="cancellationToken">Cancels the open.</param>
    /// <param name="busyTimeout">How long a statement waits for a lock another connection holds; default 30 s.</param>
    public static async Task<SqliteConnection> OpenAsync(string path, CancellationToken cancellationToken, TimeSpan? busyTimeout = null)
    {
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath);
        if (directory is not null)
        {
            OwnerOnlyFiles.CreateDirectory(directory);
        }

        // An empty file is a new database to SQLite; left to SQLite, it would be created 0644 minus the umask.
        OwnerOnlyFiles.EnsureFile(fullPath);

        var timeout = busyTimeout ?? DefaultBusyTimeout;
        var connection = new SqliteConnection(ConnectionString(path, busyTimeout: timeout));
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(
                connection,
                string.Create(CultureInfo.InvariantCulture, $"PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout={(long)timeout.TotalMilliseconds};"),
                cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Applies the migrations whose index is at or above the database's <c>user_version</c>, each in its own
    /// transaction together with the version bump, so an interrupted upgrade resumes where it stopped.
    /// Refuses a database whose version is newer than the code knows.
    /// </summary>
    /// <returns>The number of migrations applied.</returns>
    /// <exception cref="InvalidOperationException">The database was written by a newer MailHost.</exception>
    public static async Task<int> MigrateAsync(SqliteConnection connection, IReadOnlyList<string> migrations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(migrations);
        var applied = 0;
        while (true)
        {
            // BEGIN IMMEDIATE takes the write lock before the version is read, so two processes opening the same
            // database at once never apply the same migration twice.
            using var transaction = connection.BeginTransaction(deferred: false);
            var version = await GetUserVersionAsync(connection, cancellationToken, transaction).ConfigureAwait(false);
            if (version > migrations.Count)
            {
                throw new InvalidOperationException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"The database '{connection.DataSource}' has schema version {version}, newer than this MailHost knows ({migrations.Count}). Upgrade MailHost or restore a backup."));
            }

            if (version == migrations.Count)
            {
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                break;
            }

            await ExecuteAsync(connection, migrations[version], cancellationToken, transaction).ConfigureAwait(false);
            await ExecuteAsync(connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version = {version + 1};"), cancellationToken, transaction).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            applied++;
        }

        return applied;
    }

    /// <summary>
    /// Whether the connection is outside any transaction at the SQLite level (autocommit): after a failed statement,
    /// true means SQLite rolled the transaction back by itself.
    /// </summary>
    public static bool TransactionEnded(SqliteConnection connection) => SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) != 0;

    /// <summary>Reads <c>PRAGMA user_version</c>.</summary>
    public static async Task<int> GetUserVersionAsync(SqliteConnection connection, CancellationToken cancellationToken, SqliteTransaction? transaction = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "PRAGMA user_version;";
        var result = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return Convert.ToInt32(result, CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
