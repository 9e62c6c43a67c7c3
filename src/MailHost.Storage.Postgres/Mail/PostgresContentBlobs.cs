using System.Buffers;
using Npgsql;
using NpgsqlTypes;

namespace MailHost.Storage.Postgres.Mail;

/// <summary>
/// Content bytes in PostgreSQL: one <c>content_blobs</c> row per address and its bytes in fixed-size
/// <c>bytea</c> rows of <c>content_chunks</c>, so that neither a write nor a read of a 100 MB message ever holds more
/// than one chunk in memory. The chunk size is recorded per address, so hosts with different settings read each
/// other's content.
/// </summary>
internal sealed class PostgresContentBlobs : IContentBlobs
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly int _chunkSize;

    public PostgresContentBlobs(NpgsqlDataSource dataSource, int chunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1024);
        _dataSource = dataSource;
        _chunkSize = chunkSize;
    }

    public async Task<bool> WriteAsync(PgSession session, string address, Stream content, long length, CancellationToken cancellationToken)
    {
        await session.FlushAsync(cancellationToken).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(_chunkSize);
        try
        {
            // The blob row and its first chunk in one statement (most messages are one chunk). A concurrent writer of
            // the same address waits on the blob row for the other's commit, then finds the bytes there and stops.
            var read = await content.ReadAtLeastAsync(buffer.AsMemory(0, _chunkSize), _chunkSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            var data = new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = new ReadOnlyMemory<byte>(buffer, 0, read) };
            await using (var first = session.Command(
                """
                WITH blob AS (INSERT INTO content_blobs (address, size, chunk_size) VALUES ($1, $2, $3) ON CONFLICT (address) DO NOTHING RETURNING address),
                chunk AS (INSERT INTO content_chunks (address, seq, data) SELECT address, 0, $4 FROM blob WHERE octet_length($4) > 0)
                SELECT count(*) FROM blob
                """,
                address,
                length,
                _chunkSize))
            {
                first.Parameters.Add(data);
                if (Convert.ToInt64(await first.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) == 0)
                {
                    return false;
                }
            }

            if (read < _chunkSize)
            {
                return true;
            }

            await using var insert = session.Command("INSERT INTO content_chunks (address, seq, data) VALUES ($1, $2, $3)", address, 0);
            data = new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea };
            insert.Parameters.Add(data);
            var seq = 1;
            while (true)
            {
                read = await content.ReadAtLeastAsync(buffer.AsMemory(0, _chunkSize), _chunkSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                // One reused buffer: Npgsql writes the slice out without copying it into a new array.
                insert.Parameters[1].Value = seq++;
                data.Value = new ReadOnlyMemory<byte>(buffer, 0, read);
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public Task DeleteAsync(PgSession session, IReadOnlyList<string> addresses, CancellationToken cancellationToken)
    {
        // Nothing in the transaction reads the rows after this: the delete goes with the next statement or the commit.
        session.Defer([("DELETE FROM content_blobs WHERE address = ANY($1)", [addresses.ToArray()])]);
        return Task.CompletedTask;
    }

    public async Task<Stream?> OpenReadAsync(string address, long offset, long length, CancellationToken cancellationToken)
    {
        // One round trip: the blob's size and chunk size with the chunk the read starts in, guessed with this host's
        // chunk size (a blob written with another one has its first chunk read again by the stream).
        var firstSeq = (int)Math.Min(Math.Max(offset, 0) / _chunkSize, int.MaxValue);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            "SELECT b.size, b.chunk_size, c.data FROM content_blobs b LEFT JOIN content_chunks c ON c.address = b.address AND c.seq = $2 AND b.chunk_size = $3 WHERE b.address = $1",
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = address });
        command.Parameters.Add(new NpgsqlParameter { Value = firstSeq });
        command.Parameters.Add(new NpgsqlParameter { Value = _chunkSize });
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var size = reader.GetInt64(0);
        var chunkSize = reader.GetInt32(1);
        offset = Math.Clamp(offset, 0, size);
        length = Math.Clamp(length, 0, size - offset);
        var stream = new ChunkReadStream(_dataSource, address, chunkSize, offset, length);
        if (!await reader.IsDBNullAsync(2, cancellationToken).ConfigureAwait(false))
        {
            stream.Preload(firstSeq, reader);
        }

        return stream;
    }

    public async Task<Dictionary<string, byte[]>> ReadSmallAsync(IReadOnlyList<string> addresses, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (addresses.Count == 0)
        {
            return found;
        }

        // A blob no larger than its chunk size is its chunk 0 whole.
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            "SELECT b.address, c.data FROM content_blobs b JOIN content_chunks c ON c.address = b.address AND c.seq = 0 WHERE b.address = ANY($1) AND b.size <= b.chunk_size",
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = addresses.ToArray() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            found[reader.GetString(0)] = reader.GetFieldValue<byte[]>(1);
        }

        return found;
    }
}
