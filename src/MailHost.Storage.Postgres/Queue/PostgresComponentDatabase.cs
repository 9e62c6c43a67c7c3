using Npgsql;

namespace MailHost.Storage.Postgres.Queue;

/// <summary>
/// The connections of one store component: migrates its schema on first use (once per process, tried again after a
/// failure) and then hands out pooled connections. Disposes the data source only when it made it.
/// </summary>
internal sealed class PostgresComponentDatabase : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string _component;
    private readonly IReadOnlyList<PostgresMigration> _migrations;
    private readonly bool _ownsDataSource;
    private volatile bool _ready;

    public PostgresComponentDatabase(NpgsqlDataSource dataSource, bool ownsDataSource, string component, IReadOnlyList<PostgresMigration> migrations)
    {
        DataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        _component = component;
        _migrations = migrations;
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>Brings the component's tables up to date unless this process already did.</summary>
    public async Task EnsureReadyAsync(CancellationToken cancellationToken)
    {
        if (_ready)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_ready)
            {
                await PostgresSchema.MigrateAsync(DataSource, _component, _migrations, cancellationToken).ConfigureAwait(false);
                _ready = true;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>An open connection to the migrated database; the caller disposes it (back to the pool).</summary>
    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        return await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownsDataSource)
        {
            await DataSource.DisposeAsync().ConfigureAwait(false);
        }

        _gate.Dispose();
    }
}
