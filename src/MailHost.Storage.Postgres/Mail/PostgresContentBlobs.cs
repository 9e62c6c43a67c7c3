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

    public async Task WriteAsync(PgSession session, string address, Stream content, long length, CancellationToken cancellationToken)
    {
        // A concurrent writer of the same address waits here for the other's commit, and then finds the bytes there.
        if (await session.ExecAsync("INSERT INTO content_blobs (address, size, chunk_size) VALUES ($1, $2, $3) ON CONFLICT (address) DO NOTHING", cancellationToken, address, length, _chunkSize).ConfigureAwait(false) == 0)
        {
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(_chunkSize);
        try
        {
            await using var insert = session.Command("INSERT INTO content_chunks (address, seq, data) VALUES ($1, $2, $3)", address, 0);
            var data = new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea };
            insert.Parameters.Add(data);
            var seq = 0;
            while (true)
            {
                var read = await content.ReadAtLeastAsync(buffer.AsMemory(0, _chunkSize), _chunkSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                // One reused buffer: Npgsql writes the slice out without copying it into a new array.
                insert.Parameters[1].Value = seq++;
                data.Value = new ReadOnlyMemory<byte>(buffer, 0, read);
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public Task DeleteAsync(PgSession session, string address, CancellationToken cancellationToken) =>
        session.ExecAsync("DELETE FROM content_blobs WHERE address = $1", cancellationToken, address);

    public async Task<Stream?> OpenReadAsync(string address, long offset, long length, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT size, chunk_size FROM content_blobs WHERE address = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = address });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var size = reader.GetInt64(0);
        var chunkSize = reader.GetInt32(1);
        offset = Math.Clamp(offset, 0, size);
        length = Math.Clamp(length, 0, size - offset);
        return new ChunkReadStream(_dataSource, address, chunkSize, offset, length);
    }
}
