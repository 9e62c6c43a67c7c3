using System.Globalization;
using Npgsql;

namespace MailHost.Storage.Postgres;

/// <summary>
/// Brings a component's tables up to date with numbered, forward-only migrations. Every host of a site may start at
/// once: the migrations run under a transaction-level advisory lock, so exactly one host applies each step and the
/// others wait and then find it done. A database written by a newer MailHost is refused with a message that says so.
/// </summary>
internal static class PostgresSchema
{
    // pg_advisory_xact_lock key: "MailHost" in ASCII, shared by every component (migrations are short).
    private const long MigrationLock = 0x4D61696C486F7374;

    /// <summary>Applies the missing migrations of <paramref name="component"/>; returns how many it applied.</summary>
    /// <exception cref="InvalidOperationException">The database holds a newer schema of the component than this code knows.</exception>
    public static async Task<int> MigrateAsync(NpgsqlDataSource dataSource, string component, IReadOnlyList<PostgresMigration> migrations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(migrations);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({MigrationLock})", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS mailhost_schema (component text PRIMARY KEY, version integer NOT NULL)", cancellationToken).ConfigureAwait(false);
        var version = await GetVersionAsync(connection, transaction, component, cancellationToken).ConfigureAwait(false);
        var known = migrations.Count == 0 ? 0 : migrations[^1].Version;
        if (version > known)
        {
            throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"The PostgreSQL database '{connection.Database}' has {component} schema version {version}, newer than this MailHost knows ({known}). Upgrade MailHost on this host or restore a backup."));
        }

        var applied = 0;
        foreach (var migration in migrations.Where(m => m.Version > version).OrderBy(m => m.Version))
        {
            await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken).ConfigureAwait(false);
            applied++;
        }

        if (applied > 0)
        {
            await using var bump = new NpgsqlCommand(
                "INSERT INTO mailhost_schema (component, version) VALUES (@component, @version) ON CONFLICT (component) DO UPDATE SET version = EXCLUDED.version",
                connection,
                transaction);
            bump.Parameters.AddWithValue("component", component);
            bump.Parameters.AddWithValue("version", known);
            await bump.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return applied;
    }

    /// <summary>
    /// Creates the PostgreSQL schema (namespace) <paramref name="schemaName"/> when it is missing, under the migration
    /// lock, so hosts starting at once do not race on it.
    /// </summary>
    public static async Task EnsureSchemaAsync(NpgsqlDataSource dataSource, string schemaName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentException.ThrowIfNullOrEmpty(schemaName);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({MigrationLock})", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, $"CREATE SCHEMA IF NOT EXISTS \"{schemaName}\"", cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The component's schema version in the database; 0 when it has none.</summary>
    public static async Task<int> GetVersionAsync(NpgsqlDataSource dataSource, string component, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var exists = new NpgsqlCommand("SELECT to_regclass('mailhost_schema') IS NOT NULL", connection);
        if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
        {
            return 0;
        }

        return await GetVersionAsync(connection, null, component, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> GetVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string component, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT version FROM mailhost_schema WHERE component = @component", connection, transaction);
        command.Parameters.AddWithValue("component", component);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is int version ? version : 0;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
