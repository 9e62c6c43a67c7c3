using System.Globalization;
using MailHost.Storage;
using MailHost.Storage.Postgres;
using MailHost.Storage.Postgres.Accounts;
using MailHost.Storage.Postgres.Mail;
using Npgsql;

namespace MailHost.Server.StoreCopy;

/// <summary>What a copy did: rows per table, contents written and kept, and the verification.</summary>
internal sealed record SiteCopyResult(bool Refreshed, IReadOnlyList<(string Table, long Rows)> Tables, long ContentsWritten, long ContentsKept, IReadOnlyList<CopyCheck> Checks)
{
    public bool Verified => Checks.All(c => c.Matches);
}

/// <summary>
/// Copies a SQLite site into a PostgreSQL database in one transaction: the components' migrations first (the
/// stores' own), then <see cref="CopyTargetGuard"/>, then every table emptied and written again from the SQLite rows
/// with their ids, content reused by address where an earlier copy left it, then the verification; the transaction
/// commits only when every check matches, so a failed or refused copy leaves the database as it was.
/// </summary>
internal static class SiteCopy
{
    // pg_advisory_xact_lock key of the copy: "MHcopy!!" in ASCII; a second copy at once waits, then finds the first's.
    private const long CopyLock = 0x4D48636F70792121;

    public static async Task<SiteCopyResult> RunAsync(string dataDirectory, string connectionString, CancellationToken cancellationToken)
    {
        await PostgresSiteSchema.MigrateAllAsync(connectionString, cancellationToken).ConfigureAwait(false);

        // The directory's trigger names its tables unqualified, as its store (search path = its schema) runs it; after
        // the connection's own path, so that the mail and queue tables are the ones the stores use.
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = CopyTargetGuard.ApplicationName, CommandTimeout = 0 };
        builder.SearchPath = $"{builder.SearchPath ?? "\"$user\", public"}, {PostgresAccountDirectory.SchemaName}";

        await using var source = await SqliteSource.OpenAsync(dataDirectory, cancellationToken).ConfigureAwait(false);
        if (source.IsEmpty)
        {
            throw new StoreCopyException($"{source.DataDirectory} holds no SQLite store (directory.db, mail.db, queue.db): check MailHost:DataDirectory.");
        }

        await using var dataSource = NpgsqlDataSource.Create(builder);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var session = new PgSession(connection, transaction);
        await session.ExecAsync($"SELECT pg_advisory_xact_lock({CopyLock})", cancellationToken).ConfigureAwait(false);
        var refreshed = await CopyTargetGuard.CheckAsync(connection, source.DataDirectory, cancellationToken).ConfigureAwait(false);
        await session.ExecAsync(SiteTables.TruncateSql, cancellationToken).ConfigureAwait(false);

        var tables = new List<(string, long)>();
        foreach (var table in SiteTables.Directory.Concat(SiteTables.MailBeforeContent))
        {
            tables.Add((table.Target, await TableCopier.CopyAsync(source, connection, table, cancellationToken).ConfigureAwait(false)));
        }

        // Never opened: it only prepares content as the PostgreSQL store does; no limit the source had is enforced again.
        var preparer = new PostgresMailStore(new PostgresMailStoreOptions
        {
            ConnectionString = builder.ConnectionString,
            InstanceId = $"store-copy-{Guid.NewGuid():N}",
            Limits = MailStoreLimits.Default with { MaxMessageSize = long.MaxValue },
        });
        long written, kept;
        await using (preparer.ConfigureAwait(false))
        {
            var content = new ContentCopier(source, session, preparer);
            (written, kept) = await content.CopyMailContentAsync(cancellationToken).ConfigureAwait(false);
            foreach (var table in SiteTables.MailAfterContent.Concat(SiteTables.Queue))
            {
                tables.Add((table.Target, await TableCopier.CopyAsync(source, connection, table, cancellationToken).ConfigureAwait(false)));
            }

            tables.Add(("queue_content", await content.CopyQueueContentAsync(cancellationToken).ConfigureAwait(false)));
        }

        await FinishAsync(session, source, cancellationToken).ConfigureAwait(false);
        await session.FlushAsync(cancellationToken).ConfigureAwait(false);
        var checks = await new CopyVerifier(source, connection).VerifyAsync(cancellationToken).ConfigureAwait(false);
        var result = new SiteCopyResult(refreshed, tables, written, kept, checks);
        if (result.Verified)
        {
            await CopyTargetGuard.RecordAsync(connection, source.DataDirectory, cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>Reference counts from the copied messages, content nobody uses removed, and identity sequences moved past every id SQLite gave out.</summary>
    private static async Task FinishAsync(PgSession session, SqliteSource source, CancellationToken cancellationToken)
    {
        await session.ExecAsync(
            """
            UPDATE contents c SET refs = m.n FROM (SELECT content_id, count(*)::int AS n FROM messages GROUP BY content_id) m WHERE m.content_id = c.id AND c.refs <> m.n;
            DELETE FROM contents c WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.content_id = c.id);
            DELETE FROM content_blobs b WHERE NOT EXISTS (SELECT 1 FROM contents c WHERE c.address = b.address);
            """,
            cancellationToken).ConfigureAwait(false);
        foreach (var table in SiteTables.IdentityTables)
        {
            // SQLite AUTOINCREMENT never gives an id twice, even the id of a deleted last row: neither may the sequence.
            var store = table.StartsWith("mailhost_directory.", StringComparison.Ordinal) ? SqliteSource.Directory : table == "queue_recipients" ? SqliteSource.Queue : SqliteSource.Mail;
            var used = await SqliteSequenceAsync(source, store, table[(table.IndexOf('.', StringComparison.Ordinal) + 1)..], cancellationToken).ConfigureAwait(false);
            await session.ExecAsync(
                $"SELECT setval(pg_get_serial_sequence('{table}', 'id'), greatest(coalesce((SELECT max(id) FROM {table}), 0), $1) + 1, false)",
                cancellationToken,
                used).ConfigureAwait(false);
        }
    }

    private static async Task<long> SqliteSequenceAsync(SqliteSource source, string store, string table, CancellationToken cancellationToken)
    {
        if (source.Connection(store) is not { } connection)
        {
            return 0;
        }

        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq FROM sqlite_sequence WHERE name = $name AND EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence')";
        command.Parameters.AddWithValue("$name", table);
        try
        {
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) ?? 0L, CultureInfo.InvariantCulture);
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            // A database without AUTOINCREMENT tables has no sqlite_sequence: its ids are the rows' own.
            return 0;
        }
    }
}
