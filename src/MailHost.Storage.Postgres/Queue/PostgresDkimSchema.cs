namespace MailHost.Storage.Postgres.Queue;

/// <summary>
/// The DKIM key table (component <c>dkim</c>): a component of its own, so that the admin tools can open the keys of a
/// site without the queue's tables, and the two evolve separately.
/// </summary>
internal static class PostgresDkimSchema
{
    /// <summary>The component name under which <see cref="PostgresSchema"/> keeps the version.</summary>
    public const string Component = "dkim";

    public static readonly IReadOnlyList<PostgresMigration> Migrations =
    [
        new(
            1,
            """
            CREATE TABLE dkim_keys (
                domain text PRIMARY KEY,
                selector text NOT NULL,
                algorithm text NOT NULL,
                private_key text NOT NULL,
                created timestamptz NOT NULL
            );
            """),
    ];
}
