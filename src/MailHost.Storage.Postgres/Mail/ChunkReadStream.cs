using System.Buffers;
using Npgsql;

namespace MailHost.Storage.Postgres.Mail;

/// <summary>
/// A window of stored content read one <c>content_chunks</c> row at a time into one pooled buffer: each chunk is a
/// short query on a pooled connection, so a slow client holds no connection between reads.
/// </summary>
internal sealed class ChunkReadStream : Stream
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _address;
    private readonly int _chunkSize;
    private readonly long _end;
    private byte[]? _buffer;
    private int _bufferSeq = -1;
    private int _bufferFill;
    private long _position;

    public ChunkReadStream(NpgsqlDataSource dataSource, string address, int chunkSize, long offset, long length)
    {
        _dataSource = dataSource;
        _address = address;
        _chunkSize = chunkSize;
        _position = offset;
        _end = offset + length;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty || _position >= _end)
        {
            return 0;
        }

        var seq = (int)(_position / _chunkSize);
        if (seq != _bufferSeq)
        {
            await LoadAsync(seq, cancellationToken).ConfigureAwait(false);
        }

        var within = (int)(_position - ((long)seq * _chunkSize));
        var n = (int)Math.Min(Math.Min(buffer.Length, _bufferFill - within), _end - _position);
        if (n <= 0)
        {
            throw new IOException("The stored content is shorter than recorded.");
        }

        _buffer.AsMemory(within, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }

        base.Dispose(disposing);
    }

    /// <summary>Takes chunk <paramref name="seq"/> from column 2 of <paramref name="reader"/>'s current row,
    /// read by the query that opened the stream.</summary>
    public void Preload(int seq, NpgsqlDataReader reader) => Fill(seq, reader, 2);

    private async Task LoadAsync(int seq, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT data FROM content_chunks WHERE address = $1 AND seq = $2", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = _address });
        command.Parameters.Add(new NpgsqlParameter { Value = seq });
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new IOException("The stored content is gone.");
        }

        Fill(seq, reader, 0);
    }

    private void Fill(int seq, NpgsqlDataReader reader, int column)
    {
        // Read into the pooled buffer: no array per chunk.
        _buffer ??= ArrayPool<byte>.Shared.Rent(_chunkSize);
        _bufferFill = (int)reader.GetBytes(column, 0, _buffer, 0, _chunkSize);
        _bufferSeq = seq;
    }
}
