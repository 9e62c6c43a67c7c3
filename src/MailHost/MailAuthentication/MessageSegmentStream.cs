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
        if (!TryNextRange(buffer.Length, out var segment, out var count))
        {
            return 0;
        }

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
        }

        return Advance(read);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!TryNextRange(buffer.Length, out var segment, out var count))
        {
            return 0;
        }

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
        }

        return Advance(read);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>The segment the next read comes from (empty ones skipped) and how much of it fits <paramref name="wanted"/>.</summary>
    private bool TryNextRange(int wanted, out MessageSegment segment, out int count)
    {
        while (_index < segments.Count && wanted > 0)
        {
            segment = segments[_index];
            var left = segment.Length - _within;
            if (left > 0)
            {
                count = (int)Math.Min(wanted, left);
                return true;
            }

            NextSegment();
        }

        segment = default;
        count = 0;
        return false;
    }

    private int Advance(int read)
    {
        if (read == 0)
        {
            throw new EndOfStreamException("The spooled message is shorter than its recorded length.");
        }

        _within += read;
        _position += read;
        if (_within >= segments[_index].Length)
        {
            NextSegment();
        }

        return read;
    }

    private void NextSegment()
    {
        _index++;
        _within = 0;
    }
}
