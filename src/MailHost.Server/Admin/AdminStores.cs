using MailHost.Accounts.Sql;
using MailHost.Delivery.Queue;
using MailHost.Dkim;
using MailHost.Storage;
using MailHost.Storage.Postgres.Accounts;
using MailHost.Storage.Postgres.Mail;
using MailHost.Storage.Postgres.Queue;
using MailHost.Storage.Sqlite.Accounts;
using MailHost.Storage.Sqlite.Mail;
using MailHost.Storage.Sqlite.Queue;

namespace MailHost.Server.Admin;

/// <summary>
/// The stores an admin command works on, where the server's configuration puts them: SQLite files in the data
/// directory, or the PostgreSQL database of <c>ConnectionStrings:MailHost</c>. Opened as a guest beside running
/// servers: no start-up repair, no background work, nothing another host keeps for its sessions touched.
/// </summary>
internal sealed class AdminStores(StoreSettings settings, string dataDirectory, CancellationToken cancellationToken) : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _opened = [];
    private IMailStore? _mailStore;

    /// <summary>Where the data is, for messages.</summary>
    public string Description => settings.Provider == StoreProvider.Postgres
        ? $"the PostgreSQL database of {StoreSettings.ConnectionStringKey}"
        : Path.Combine(dataDirectory, AdminCli.DirectoryFileName);

    /// <summary>The account directory; with <paramref name="withMail"/>, together with the mail store, for the commands that change whose mail is whose.</summary>
    public async Task<SqlAccountDirectory> OpenDirectoryAsync(bool withMail)
    {
        var mail = withMail ? OpenMailStore() : null;
        if (settings.Provider == StoreProvider.Postgres)
        {
            return Track(await PostgresAccountDirectory.OpenAsync(settings.ConnectionString!, mail, null, TimeProvider.System, cancellationToken).ConfigureAwait(false));
        }

        return await SqliteAccountDirectory.OpenAsync(Path.Combine(dataDirectory, AdminCli.DirectoryFileName), mail, null, TimeProvider.System, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The mail store (opened as a guest), for the commands that read or set what it keeps per account.</summary>
    public IMailStore MailStore => OpenMailStore();

    /// <summary>The outbound queue, or <see langword="null"/> for a SQLite data directory that has none (it is not created: the path may be a typo).</summary>
    public async Task<IOutboundQueueStore?> OpenQueueAsync()
    {
        if (settings.Provider == StoreProvider.Postgres)
        {
            return Track(await PostgresOutboundQueueStore.OpenAsync(settings.ConnectionString!, null, cancellationToken).ConfigureAwait(false));
        }

        return File.Exists(Path.Combine(dataDirectory, SqliteOutboundQueueStore.DatabaseFileName))
            ? Track(await SqliteOutboundQueueStore.OpenAsync(dataDirectory, null, cancellationToken).ConfigureAwait(false))
            : null;
    }

    /// <summary>The DKIM signing keys.</summary>
    public async Task<IDkimKeyStore> OpenDkimKeysAsync() => settings.Provider == StoreProvider.Postgres
        ? Track(await PostgresDkimKeyStore.OpenAsync(settings.ConnectionString!, cancellationToken).ConfigureAwait(false))
        : Track(await SqliteDkimKeyStore.OpenAsync(dataDirectory, cancellationToken).ConfigureAwait(false));

    public async ValueTask DisposeAsync()
    {
        for (var i = _opened.Count - 1; i >= 0; i--)
        {
            await _opened[i].DisposeAsync().ConfigureAwait(false);
        }
    }

    private IMailStore OpenMailStore()
    {
        // Its own instance id: a guest never releases rows a running host keeps for its open views.
        _mailStore ??= Track<IMailStore>(settings.Provider == StoreProvider.Postgres
            ? new PostgresMailStore(new PostgresMailStoreOptions { ConnectionString = settings.ConnectionString!, InstanceId = $"admin-{Guid.NewGuid():N}" })
            : new SqliteMailStore(new SqliteMailStoreOptions { DataDirectory = dataDirectory, Maintenance = false }));
        return _mailStore;
    }

    private T Track<T>(T store)
        where T : IAsyncDisposable
    {
        _opened.Add(store);
        return store;
    }
}
