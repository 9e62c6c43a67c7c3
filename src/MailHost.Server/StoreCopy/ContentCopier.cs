using MailHost.Storage.Postgres.Mail;
using MailHost.Storage.Postgres.Queue;

namespace MailHost.Server.StoreCopy;

/// <summary>
/// Copies message content: each content the messages use, once, under its SQLite id and address. Its bytes are
/// prepared the way the PostgreSQL store prepares an appended message (spooled, bounded in memory, indexed, the search
/// columns folded), then streamed into chunks; content already in the target under the same id and address (a copy
/// run before) is left as it is. The queue's content files are streamed into the queue's chunk rows.
/// </summary>
internal sealed class ContentCopier(SqliteSource source, PgSession target, PostgresMailStore preparer)
{
    // Only the contents some message uses: a content kept for a retained row alone has no one to serve after the copy.
    private const string UsedContents =
        "SELECT c.id, c.address, c.size, c.inline IS NOT NULL, c.inline FROM contents c WHERE EXISTS (SELECT 1 FROM messages m WHERE m.content_id = c.id) ORDER BY c.id";

    /// <summary>Copies the contents; returns how many were written and how many were there already.</summary>
    public async Task<(long Written, long Kept)> CopyMailContentAsync(CancellationToken cancellationToken)
    {
        if (source.Connection(SqliteSource.Mail) is not { } connection)
        {
            return (0, 0);
        }

        long written = 0, kept = 0;
        await using var select = connection.CreateCommand();
        select.CommandText = UsedContents;
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var id = reader.GetInt64(0);
            var address = reader.GetString(1);

            // A row of an earlier run under another id or address (the content went and came back) gives way.
            await target.ExecAsync("DELETE FROM contents WHERE (id = $1 OR address = $2) AND NOT (id = $1 AND address = $2)", cancellationToken, id, address).ConfigureAwait(false);
            if (await target.LongAsync("SELECT id FROM contents WHERE id = $1", cancellationToken, id).ConfigureAwait(false) is not null)
            {
                kept++;
                continue;
            }

            var bytes = reader.GetBoolean(3) ? reader.GetStream(4) : source.OpenContentFile(address);
            await using (bytes.ConfigureAwait(false))
            {
                await InsertContentAsync(id, address, bytes, cancellationToken).ConfigureAwait(false);
            }

            written++;
        }

        return (written, kept);
    }

    /// <summary>Copies each queued message's content file into its chunk rows; returns the number of messages.</summary>
    public async Task<long> CopyQueueContentAsync(CancellationToken cancellationToken)
    {
        if (source.Connection(SqliteSource.Queue) is not { } connection)
        {
            return 0;
        }

        long copied = 0;
        await using var select = connection.CreateCommand();
        select.CommandText = "SELECT id, size FROM queue_messages ORDER BY id";
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var id = reader.GetString(0);
            var content = source.OpenQueueContent(id);
            await using (content.ConfigureAwait(false))
            {
                var size = await PostgresQueueContentWriter.WriteAsync(target.Connection, target.Transaction ?? throw new InvalidOperationException("The copy writes inside a transaction."), id, content, cancellationToken).ConfigureAwait(false);
                if (size != reader.GetInt64(1))
                {
                    throw new StoreCopyException($"queued message {id}: its content file has {size} octets, its row says {reader.GetInt64(1)}.");
                }
            }

            copied++;
        }

        return copied;
    }

    private async Task InsertContentAsync(long id, string address, Stream bytes, CancellationToken cancellationToken)
    {
        var prepared = await preparer.PrepareAsync(bytes, encodeNulParts: false, cancellationToken).ConfigureAwait(false);
        if (!prepared.IsSuccess)
        {
            throw new StoreCopyException($"content {address} could not be prepared: {prepared.Error.Message}");
        }

        var content = prepared.Value;
        await using (content.Spool.ConfigureAwait(false))
        {
            // The address is the SHA-256 of the bytes: a file changed or damaged on disk is found here, not served later.
            if (!string.Equals(content.Address, address, StringComparison.Ordinal))
            {
                throw new StoreCopyException($"content {address} in the data directory does not match its address (its bytes hash to {content.Address}).");
            }

            // refs is set once every message is in (SiteCopy counts them); the columns are the store's own.
            await target.ExecAsync(
                """
                INSERT INTO contents (id, address, size, refs, index_json, thread_references, sent_date, sent_offset, search_headers, search_body, address_text)
                OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, 0, $4, $5, $6, $7, $8, $9, $10)
                """,
                cancellationToken,
                id,
                address,
                content.Size,
                content.IndexJson,
                content.ThreadReferencesJson,
                content.SentDate?.ToUnixTimeMilliseconds(),
                content.SentDate is { } sent ? (int)sent.Offset.TotalMinutes : null,
                content.SearchHeaders,
                content.SearchBody,
                content.AddressText).ConfigureAwait(false);
            await preparer.UploadAsync(target, content, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>The copy cannot go on: the source or the target is not what it must be. The message says what and where.</summary>
internal sealed class StoreCopyException(string message) : Exception(message);
