namespace MailHost.Storage;

/// <summary>A read-only, seekable stream over fixed-size chunks (all but the last of equal size).</summary>
internal sealed class ChunkedReadStream : Stream
{
    private readonly IReadOnlyList<byte[]> _chunks;
    private readonly long _length;
    private long _position;

    public ChunkedReadStream(IReadOnlyList<byte[]> chunks, long length)
    {
        _chunks = chunks;
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
        var total = 0;
        while (buffer.Length > 0 && _position < _length && _chunks.Count > 0)
        {
            var chunkSize = _chunks[0].Length;
            var index = (int)(_position / chunkSize);
            var within = (int)(_position % chunkSize);
            var chunk = _chunks[index];
            var n = Math.Min(buffer.Length, chunk.Length - within);
            chunk.AsSpan(within, n).CopyTo(buffer);
            buffer = buffer[n..];
            _position += n;
            total += n;
        }

        return total;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => _length + offset,
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
