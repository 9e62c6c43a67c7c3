namespace MailHost.MailAuthentication;

/// <summary>
/// A forward-only read stream that joins ranges of a seekable source (the spool) with inserted bytes (the
/// Authentication-Results field, the <c>X-Original-</c> prefixes), so the stored message is composed without
/// copying the content. The source is not owned; each range seeks it before reading.
/// </summary>
internal sealed class MessageSegmentStream(Stream source, IReadOnlyList<MessageSegment> segments) : Stream
{
    private int _index;
    private long _within;
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => segments.Sum(s => s.Length);

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (_index < segments.Count && !buffer.IsEmpty)
        {
            var segment = segments[_index];
            var left = segment.Length - _within;
            if (left <= 0)
            {
                NextSegment();
                continue;
            }

            var count = (int)Math.Min(buffer.Length, left);
            int read;
            if (segment.IsLiteral)
            {
                segment.Bytes.Span.Slice((int)_within, count).CopyTo(buffer);
                read = count;
            }
            else
            {
                source.Position = segment.Offset + _within;
                read = source.Read(buffer[..count]);
                if (read == 0)
                {
                    throw new EndOfStreamException("The spooled message is shorter than its recorded length.");
                }
            }

            Advance(read);
            return read;
        }

        return 0;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_index < segments.Count && !buffer.IsEmpty)
        {
            var segment = segments[_index];
            var left = segment.Length - _within;
            if (left <= 0)
            {
                NextSegment();
                continue;
            }

            var count = (int)Math.Min(buffer.Length, left);
            int read;
            if (segment.IsLiteral)
            {
                segment.Bytes.Slice((int)_within, count).CopyTo(buffer);
                read = count;
            }
            else
            {
                source.Position = segment.Offset + _within;
                read = await source.ReadAsync(buffer[..count], cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new EndOfStreamException("The spooled message is shorter than its recorded length.");
                }
            }

            Advance(read);
            return read;
        }

        return 0;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private void Advance(int read)
    {
        _within += read;
        _position += read;
        if (_within >= segments[_index].Length)
        {
            NextSegment();
        }
    }

    private void NextSegment()
    {
        _index++;
        _within = 0;
    }
}
