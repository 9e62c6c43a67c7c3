using System.Data.Common;
using Npgsql;

namespace MailHost.Storage.Postgres;

/// <summary>
/// The one place the stores make their Npgsql data sources, so that every component talks to PostgreSQL the same way.
/// </summary>
internal static class PostgresDataSources
{
    /// <summary>Statements each pooled connection keeps prepared when the connection string does not say otherwise.</summary>
    internal const int DefaultMaxAutoPrepare = 64;

    /// <summary>
    /// A pooled data source for <paramref name="builder"/>. Two settings differ from Npgsql's defaults because a mail
    /// store issues the same few dozen short statements thousands of times a second:
    /// <list type="bullet">
    /// <item>Automatic preparation (<c>Max Auto Prepare</c>, unless the connection string sets it): a statement used
    /// repeatedly on a connection is parsed and planned once, not on every call.</item>
    /// <item>No reset when a connection goes back to the pool (<c>No Reset On Close</c>): the reset (<c>DISCARD ALL</c>)
    /// would run on every one of those short uses and throw the prepared statements away. The stores leave no session
    /// state behind on a pooled connection: their advisory locks are transaction-scoped, and the two session-scoped
    /// uses (the POP3 maildrop lock, <c>LISTEN</c>) run on connections of their own outside the pool.</item>
    /// </list>
    /// </summary>
    public static NpgsqlDataSource Create(NpgsqlConnectionStringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = new NpgsqlConnectionStringBuilder(builder.ConnectionString) { NoResetOnClose = true };
        if (!SetsMaxAutoPrepare(builder))
        {
            settings.MaxAutoPrepare = DefaultMaxAutoPrepare;
        }

        return NpgsqlDataSource.Create(settings);
    }

    /// <summary>
    /// Whether the connection string itself sets <c>Max Auto Prepare</c>. <see cref="NpgsqlConnectionStringBuilder.ContainsKey"/>
    /// cannot tell: it answers whether a keyword is known, set or not. The builder's own connection string names only
    /// the keys that were given, under their canonical names.
    /// </summary>
    internal static bool SetsMaxAutoPrepare(NpgsqlConnectionStringBuilder builder) =>
        new DbConnectionStringBuilder { ConnectionString = builder.ConnectionString }.ContainsKey("Max Auto Prepare");

    /// <inheritdoc cref="Create(NpgsqlConnectionStringBuilder)"/>
    public static NpgsqlDataSource Create(string connectionString) => Create(new NpgsqlConnectionStringBuilder(connectionString));
}
