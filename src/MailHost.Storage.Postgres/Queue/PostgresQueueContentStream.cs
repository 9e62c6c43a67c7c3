using System.Buffers;
using System.Data;
using Npgsql;

namespace MailHost.Storage.Postgres.Queue;

/// <summary>
/// A queued message's content read back from its <c>queue_content</c> rows: read-only and seekable (the delivery
/// worker parses it with persistent MIME parts, which seek back into the stream), holding one chunk in a pooled buffer
/// and fetching the chunk that covers the position when a read leaves it. A database failure is an
/// <see cref="IOException"/>, as for any stream that cannot be read.
/// </summary>
internal sealed class PostgresQueueContentStream : Stream
{
    private const string ChunkQuery =
        "SELECT position, data FROM queue_content WHERE message_id = @id AND position <= @position ORDER BY position DESC LIMIT 1";

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _messageId;
    private readonly long _length;
    private byte[] _chunk = [];
    private long _chunkStart;
    private int _chunkLength;
    private long _position;
    private bool _disposed;

    public PostgresQueueContentStream(NpgsqlDataSource dataSource, string messageId, long length)
    {
        _dataSource = dataSource;
        _messageId = messageId;
        _length = length;
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => _position = Math.Clamp(value, 0, _length);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty || _position >= _length)
        {
            return 0;
        }

        if (!Covers(_position))
        {
            LoadAsync(async: false, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }

        return CopyOut(buffer);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty || _position >= _length)
        {
            return 0;
        }

        if (!Covers(_position))
        {
            await LoadAsync(async: true, cancellationToken).ConfigureAwait(false);
        }

        return CopyOut(buffer.Span);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        SeekOrigin.End => _length + offset,
        _ => throw new ArgumentOutOfRangeException(nameof(origin)),
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        if (_chunk.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_chunk);
            _chunk = [];
            _chunkLength = 0;
        }

        base.Dispose(disposing);
    }

    private bool Covers(long position) => _chunkLength > 0 && position >= _chunkStart && position < _chunkStart + _chunkLength;

    private int CopyOut(Span<byte> buffer)
    {
        var within = (int)(_position - _chunkStart);
        var n = Math.Min(buffer.Length, _chunkLength - within);
        _chunk.AsSpan(within, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    /// <summary>Fetches the row that covers the position into the pooled buffer (sync or async, one code path).</summary>
    private async ValueTask LoadAsync(bool async, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            await using var command = _dataSource.CreateCommand(ChunkQuery);
            command.Parameters.Add(new NpgsqlParameter<string>("id", _messageId));
            command.Parameters.Add(new NpgsqlParameter<long>("position", _position));

            // Sequential access streams the bytea into the buffer instead of buffering the whole row first.
            await using var reader = async
                ? await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false)
                : command.ExecuteReader(CommandBehavior.SequentialAccess);
            if (!(async ? await reader.ReadAsync(cancellationToken).ConfigureAwait(false) : reader.Read()))
            {
                throw new IOException("The queued message's content is gone.");
            }

            var start = reader.GetInt64(0);
            var length = (int)reader.GetBytes(1, 0, null, 0, 0);
            if (_chunk.Length < length)
            {
                if (_chunk.Length > 0)
                {
                    ArrayPool<byte>.Shared.Return(_chunk);
                }

                _chunkLength = 0;
                _chunk = ArrayPool<byte>.Shared.Rent(length);
            }

            var read = 0;
            while (read < length)
            {
                read += (int)reader.GetBytes(1, read, _chunk, read, length - read);
            }

            _chunkStart = start;
            _chunkLength = length;
        }
        catch (Exception ex) when (PostgresFailures.IsUnavailable(ex))
        {
            _chunkLength = 0;
            throw new IOException("The queued message's content could not be read from the database.", ex);
        }

        if (!Covers(_position))
        {
            throw new IOException("The queued message's content is incomplete.");
        }
    }
}
