using MailHost.Storage.Postgres.Accounts;
using MailHost.Storage.Postgres.Mail;
using MailHost.Storage.Postgres.Queue;
using Npgsql;

namespace MailHost.Storage.Postgres;

/// <summary>
/// Every component a PostgreSQL site keeps in its database, with the migrations each store applies when it opens,
/// for the tools that bring a whole database up to date at once (<c>mailhost store migrate</c>, <c>store copy</c>).
/// </summary>
internal static class PostgresSiteSchema
{
    /// <summary>The components in the order they are migrated; the directory lives in its own PostgreSQL schema.</summary>
    public static IReadOnlyList<Component> Components { get; } =
    [
        new(PostgresAccountDirectorySchema.Component, PostgresAccountDirectory.SchemaName, PostgresAccountDirectorySchema.Migrations),
        new(PostgresMailSchema.Component, null, PostgresMailSchema.Migrations),
        new(PostgresQueueSchema.Component, null, PostgresQueueSchema.Migrations),
        new(PostgresDkimSchema.Component, null, PostgresDkimSchema.Migrations),
    ];

    /// <summary>Applies every component's missing migrations; returns each component's version before and after.</summary>
    /// <exception cref="InvalidOperationException">The database holds a newer schema of a component than this MailHost knows.</exception>
    public static async Task<IReadOnlyList<ComponentVersion>> MigrateAllAsync(string connectionString, CancellationToken cancellationToken)
    {
        var result = new List<ComponentVersion>();
        foreach (var component in Components)
        {
            await using var dataSource = component.OpenDataSource(connectionString);
            if (component.SchemaName is { } schemaName)
            {
                await PostgresSchema.EnsureSchemaAsync(dataSource, schemaName, cancellationToken).ConfigureAwait(false);
            }

            var before = await PostgresSchema.GetVersionAsync(dataSource, component.Name, cancellationToken).ConfigureAwait(false);
            await PostgresSchema.MigrateAsync(dataSource, component.Name, component.Migrations, cancellationToken).ConfigureAwait(false);
            var after = await PostgresSchema.GetVersionAsync(dataSource, component.Name, cancellationToken).ConfigureAwait(false);
            result.Add(new ComponentVersion(component.Name, before, after, component.Migrations[^1].Version));
        }

        return result;
    }

    /// <summary>One component: its name in <c>mailhost_schema</c>, its PostgreSQL schema (<see langword="null"/>: the connection's default), its migrations.</summary>
    internal sealed record Component(string Name, string? SchemaName, IReadOnlyList<PostgresMigration> Migrations)
    {
        /// <summary>A data source whose search path is the component's schema, as its store opens it.</summary>
        public NpgsqlDataSource OpenDataSource(string connectionString)
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (SchemaName is not null)
            {
                builder.SearchPath = SchemaName;
            }

            return PostgresDataSources.Create(builder);
        }
    }

    /// <summary>A component's schema version before and after a migration, and the newest this MailHost knows.</summary>
    internal sealed record ComponentVersion(string Name, int Before, int After, int Known);
}
