using System.Globalization;
using System.Security.Cryptography;
using Npgsql;

namespace MailHost.Server.StoreCopy;

/// <summary>One line of the verification: a table or kind of data, its value on each side, and whether they agree.</summary>
internal sealed record CopyCheck(string Kind, string Sqlite, string Postgres)
{
    public bool Matches => string.Equals(Sqlite, Postgres, StringComparison.Ordinal);
}

/// <summary>
/// Compares the copy with its source inside the copy's transaction, before it commits: per table an aggregate
/// (row count, and sums of UIDs, MODSEQs, flags, sizes where the table has them) computed alike by both databases,
/// and the SHA-256 of every message content and queued message read back from PostgreSQL, against the content's
/// address (the SHA-256 of the SQLite bytes) and against the queue's content file.
/// </summary>
internal sealed class CopyVerifier(SqliteSource source, NpgsqlConnection target)
{
    public async Task<List<CopyCheck>> VerifyAsync(CancellationToken cancellationToken)
    {
        var checks = new List<CopyCheck>();
        foreach (var table in SiteTables.All)
        {
            var sourceTable = table.Target[(table.Target.IndexOf('.', StringComparison.Ordinal) + 1)..];
            var sqlite = source.Connection(table.Store) is { } connection
                ? await SqliteScalarAsync(connection, $"SELECT {table.Summary} FROM {sourceTable}", cancellationToken).ConfigureAwait(false)
                : await PostgresScalarAsync($"SELECT {table.Summary} FROM {table.Target} WHERE false", null, cancellationToken).ConfigureAwait(false);
            checks.Add(new CopyCheck(table.Target, sqlite, await PostgresScalarAsync($"SELECT {table.Summary} FROM {table.Target}", null, cancellationToken).ConfigureAwait(false)));
        }

        checks.AddRange(await VerifyMailContentAsync(cancellationToken).ConfigureAwait(false));
        checks.Add(await VerifyQueueContentAsync(cancellationToken).ConfigureAwait(false));
        return checks;
    }

    private async Task<IEnumerable<CopyCheck>> VerifyMailContentAsync(CancellationToken cancellationToken)
    {
        const string Summary = "count(*) || ':' || coalesce(sum(size), 0)";
        var expected = await PostgresScalarAsync($"SELECT {Summary} FROM contents WHERE false", null, cancellationToken).ConfigureAwait(false);
        long hashed = 0, matched = 0;
        if (source.Connection(SqliteSource.Mail) is { } connection)
        {
            expected = await SqliteScalarAsync(connection, $"SELECT {Summary} FROM contents c WHERE EXISTS (SELECT 1 FROM messages m WHERE m.content_id = c.id)", cancellationToken).ConfigureAwait(false);
            await using var select = connection.CreateCommand();
            select.CommandText = "SELECT c.id, c.address, c.size FROM contents c WHERE EXISTS (SELECT 1 FROM messages m WHERE m.content_id = c.id) ORDER BY c.id";
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var address = reader.GetString(1);
                hashed++;
                var row = await PostgresScalarAsync("SELECT address || ':' || size FROM contents WHERE id = $1", reader.GetInt64(0), cancellationToken).ConfigureAwait(false);
                var (hash, size) = await HashChunksAsync("SELECT data FROM content_chunks WHERE address = $1 ORDER BY seq", address, cancellationToken).ConfigureAwait(false);
                var expectedRow = string.Create(CultureInfo.InvariantCulture, $"{address}:{reader.GetInt64(2)}");
                if (row == expectedRow && hash == address && size == reader.GetInt64(2))
                {
                    matched++;
                }
            }
        }

        var references = await PostgresScalarAsync(
            "SELECT count(*) FROM contents c WHERE refs <> (SELECT count(*) FROM messages m WHERE m.content_id = c.id)", null, cancellationToken).ConfigureAwait(false);
        var blobs = await PostgresScalarAsync(
            "SELECT count(*) FROM contents c WHERE NOT EXISTS (SELECT 1 FROM content_blobs b WHERE b.address = c.address)", null, cancellationToken).ConfigureAwait(false);
        return
        [
            new CopyCheck("contents", expected, await PostgresScalarAsync($"SELECT {Summary} FROM contents", null, cancellationToken).ConfigureAwait(false)),
            new CopyCheck("content sha-256", Invariant(hashed), Invariant(matched)),
            new CopyCheck("content references", "0", references),
            new CopyCheck("content without bytes", "0", blobs),
        ];
    }

    private async Task<CopyCheck> VerifyQueueContentAsync(CancellationToken cancellationToken)
    {
        long hashed = 0, matched = 0;
        if (source.Connection(SqliteSource.Queue) is { } connection)
        {
            await using var select = connection.CreateCommand();
            select.CommandText = "SELECT id FROM queue_messages ORDER BY id";
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var id = reader.GetString(0);
                hashed++;
                string expected;
                var file = source.OpenQueueContent(id);
                await using (file.ConfigureAwait(false))
                {
                    expected = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken).ConfigureAwait(false));
                }

                var (hash, _) = await HashChunksAsync("SELECT data FROM queue_content WHERE message_id = $1 ORDER BY position", id, cancellationToken).ConfigureAwait(false);
                if (hash == expected)
                {
                    matched++;
                }
            }
        }

        return new CopyCheck("queue content sha-256", Invariant(hashed), Invariant(matched));
    }

    /// <summary>The SHA-256 and length of the rows' bytes, read one chunk at a time.</summary>
    private async Task<(string Hash, long Size)> HashChunksAsync(string sql, string key, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long size = 0;
        await using var command = new NpgsqlCommand(sql, target);
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var chunk = reader.GetFieldValue<byte[]>(0);
            hash.AppendData(chunk);
            size += chunk.Length;
        }

        return (Convert.ToHexStringLower(hash.GetHashAndReset()), size);
    }

    private async Task<string> PostgresScalarAsync(string sql, object? parameter, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, target);
        if (parameter is not null)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return Convert.ToString(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) ?? "-";
    }

    private static async Task<string> SqliteScalarAsync(Microsoft.Data.Sqlite.SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) ?? "-";
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
