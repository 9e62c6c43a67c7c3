using MailHost.Storage.Sqlite;
using MailHost.Storage.Sqlite.Accounts;
using MailHost.Storage.Sqlite.Mail;
using MailHost.Storage.Sqlite.Queue;
using Microsoft.Data.Sqlite;

namespace MailHost.Server.StoreCopy;

/// <summary>
/// The SQLite site of a data directory, read for the copy: <c>directory.db</c>, <c>mail.db</c> with its content files
/// under <c>blobs/</c>, and <c>queue.db</c> with its content files under <c>queue/</c>. Each database is brought to
/// its current schema first (what opening its store does), so that the copy reads the columns it expects. A database
/// that does not exist is an empty store and is not created.
/// </summary>
internal sealed class SqliteSource : IAsyncDisposable
{
    public const string Directory = "directory";
    public const string Mail = "mail";
    public const string Queue = "queue";

    private readonly Dictionary<string, SqliteConnection> _connections = new(StringComparer.Ordinal);
    private BlobStore? _blobs;

    private SqliteSource(string dataDirectory) => DataDirectory = dataDirectory;

    public string DataDirectory { get; }

    public static async Task<SqliteSource> OpenAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var source = new SqliteSource(Path.GetFullPath(dataDirectory));
        try
        {
            await source.OpenAsync(Directory, Admin.AdminCli.DirectoryFileName, SqliteAccountDirectorySchema.Migrations, cancellationToken).ConfigureAwait(false);
            await source.OpenAsync(Mail, "mail.db", SqliteMailSchema.Migrations, cancellationToken).ConfigureAwait(false);
            await source.OpenAsync(Queue, SqliteOutboundQueueStore.DatabaseFileName, SqliteOutboundQueueSchema.Migrations, cancellationToken).ConfigureAwait(false);
            return source;
        }
        catch
        {
            await source.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Whether the data directory holds any SQLite store at all.</summary>
    public bool IsEmpty => _connections.Count == 0;

    /// <summary>The connection to a store's database, or <see langword="null"/> when the data directory has none.</summary>
    public SqliteConnection? Connection(string store) => _connections.GetValueOrDefault(store);

    /// <summary>Opens the bytes of a content stored in a file under <c>blobs/</c>.</summary>
    public Stream OpenContentFile(string address)
    {
        // The path rule of the mail store's content files (it checks the address, so no path can leave blobs/).
        _blobs ??= new BlobStore(DataDirectory);
        return new FileStream(_blobs.PathOf(address), FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);
    }

    /// <summary>Opens the content file of a queued message.</summary>
    public Stream OpenQueueContent(string messageId) =>
        new FileStream(Path.Combine(DataDirectory, "queue", messageId + ".eml"), FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections.Values)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _connections.Clear();
    }

    private async Task OpenAsync(string store, string fileName, IReadOnlyList<string> migrations, CancellationToken cancellationToken)
    {
        var path = Path.Combine(DataDirectory, fileName);
        if (!File.Exists(path))
        {
            return;
        }

        var connection = await SqliteDatabase.OpenAsync(path, cancellationToken).ConfigureAwait(false);
        _connections[store] = connection;
        await SqliteDatabase.MigrateAsync(connection, migrations, cancellationToken).ConfigureAwait(false);
    }
}
