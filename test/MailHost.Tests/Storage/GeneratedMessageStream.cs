using System.Text;

namespace MailHost.Tests.Storage;

/// <summary>A deterministic message of a given size, generated while read (no buffer of the whole message).</summary>
internal sealed class GeneratedMessageStream : Stream
{
    private static readonly byte[] Header = Encoding.ASCII.GetBytes("From: big@example.com\r\nTo: bob@example.org\r\nSubject: big\r\nContent-Type: text/plain\r\n\r\n");
    private static readonly byte[] Line = Encoding.ASCII.GetBytes("The quick brown fox jumps over the lazy dog 0123456789 abcdefghijklmnopqrstu\r\n");
    private readonly long _length;
    private long _position;

    public GeneratedMessageStream(long length) => _length = length;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = (int)Math.Min(buffer.Length, _length - _position);
        for (var i = 0; i < n; i++)
        {
            var p = _position + i;
            buffer[i] = p < Header.Length ? Header[p] : Line[(p - Header.Length) % Line.Length];
        }

        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
