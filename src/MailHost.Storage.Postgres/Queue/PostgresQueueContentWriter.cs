using System.Buffers;
using Npgsql;
using NpgsqlTypes;

namespace MailHost.Storage.Postgres.Queue;

/// <summary>
/// Writes a queued message's content as <c>queue_content</c> rows of <see cref="ChunkSize"/> octets inside the
/// caller's transaction, reading the source one chunk at a time: a large message never sits in memory whole.
/// </summary>
internal static class PostgresQueueContentWriter
{
    /// <summary>
    /// Octets per row: large enough that a message of several megabytes is a few rows, small enough that a row is
    /// well under the 1 GB field limit and cheap to fetch for a seek.
    /// </summary>
    public const int ChunkSize = 256 * 1024;

    /// <summary>Copies <paramref name="content"/> to its end into rows of <paramref name="messageId"/>; returns its length.</summary>
    public static async Task<long> WriteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string messageId, Stream content, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            await using var insert = new NpgsqlCommand("INSERT INTO queue_content (message_id, position, data) VALUES (@id, @position, @data)", connection, transaction);
            insert.Parameters.Add(new NpgsqlParameter<string>("id", messageId));
            var position = new NpgsqlParameter<long>("position", 0L);
            var data = new NpgsqlParameter<ReadOnlyMemory<byte>>("data", NpgsqlDbType.Bytea);
            insert.Parameters.Add(position);
            insert.Parameters.Add(data);

            long size = 0;
            while (await FillAsync(content, buffer, cancellationToken).ConfigureAwait(false) is var read and > 0)
            {
                position.TypedValue = size;
                data.TypedValue = buffer.AsMemory(0, read);
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                size += read;
            }

            return size;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // A network source hands over a few kilobytes per read: a chunk is filled before it becomes a row, so every row
    // but the last is full and a reader can find any offset with one query.
    private static async Task<int> FillAsync(Stream content, byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        int got;
        do
        {
            got = await content.ReadAsync(buffer.AsMemory(read, ChunkSize - read), cancellationToken).ConfigureAwait(false);
            read += got;
        }
        while (got > 0 && read < ChunkSize);

        return read;
    }
}
