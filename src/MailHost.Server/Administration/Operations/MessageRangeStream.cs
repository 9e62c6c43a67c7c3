using MailHost.MailAuthentication;
using MailHost.Storage;

namespace MailHost.Server.Administration.Operations;

/// <summary>
/// A forward-only read stream over some ranges of stored content, one after the other: a message with byte ranges
/// left out, without copying it. Unlike <see cref="MessageSegmentStream"/> it needs no seekable source: each range is
/// opened through <see cref="MessageContent.OpenAsync(long, long, CancellationToken)"/>, which every store supports
/// (PostgreSQL content streams chunk by chunk and cannot seek). The ranges' streams are owned and disposed with it.
/// </summary>
internal sealed class MessageRangeStream : Stream
{
    private readonly Stream[] _parts;
    private int _index;
    private long _position;

    private MessageRangeStream(Stream[] parts, long length)
    {
        _parts = parts;
        Length = length;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length { get; }

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    /// <summary>
    /// Opens <paramref name="content"/> without the ranges <paramref name="removals"/> name (see
    /// <see cref="MessageEdit.Apply"/>); <see langword="null"/> when the content no longer exists.
    /// </summary>
    public static async ValueTask<MessageRangeStream?> OpenAsync(MessageContent content, IEnumerable<MessageEdit> removals, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var segments = MessageEdit.Apply(0, content.Length, removals);
        var parts = new List<Stream>(segments.Count);
        try
        {
            foreach (var segment in segments)
            {
                if (await content.OpenAsync(segment.Offset, segment.Length, cancellationToken).ConfigureAwait(false) is not { } part)
                {
                    await DisposeAllAsync(parts).ConfigureAwait(false);
                    return null;
                }

                parts.Add(part);
            }
        }
        catch
        {
            await DisposeAllAsync(parts).ConfigureAwait(false);
            throw;
        }

        return new MessageRangeStream([.. parts], segments.Sum(s => s.Length));
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (_index < _parts.Length && !buffer.IsEmpty)
        {
            var read = _parts[_index].Read(buffer);
            if (read > 0)
            {
                _position += read;
                return read;
            }

            _index++;
        }

        return 0;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_index < _parts.Length && !buffer.IsEmpty)
        {
            var read = await _parts[_index].ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (read > 0)
            {
                _position += read;
                return read;
            }

            _index++;
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

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var part in _parts)
            {
                part.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private static async ValueTask DisposeAllAsync(IEnumerable<Stream> parts)
    {
        foreach (var part in parts)
        {
            await part.DisposeAsync().ConfigureAwait(false);
        }
    }
}
