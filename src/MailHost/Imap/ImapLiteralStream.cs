using System.IO.Pipelines;

namespace MailHost.Imap;

/// <summary>
/// A read-only stream over exactly <c>length</c> octets of a literal still arriving on the connection, so APPEND data
/// flows from the pipe to the store without being buffered whole. The connection closing early is an
/// <see cref="IOException"/>: the store then keeps nothing.
/// </summary>
internal sealed class ImapLiteralStream(PipeReader input, long size, CancellationToken cancellationToken) : Stream
{
    private readonly long _size = size;
    private long _left = size;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _size;

    public override long Position
    {
        get => _size - _left;
        set => throw new NotSupportedException();
    }

    /// <summary>Reads and drops what the store did not read (it stopped early, e.g. over a limit).</summary>
    public async ValueTask DrainAsync()
    {
        var buffer = new byte[8192];
        while (_left > 0)
        {
            await ReadAsync(buffer).ConfigureAwait(false);
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        if (_left == 0 || buffer.IsEmpty)
        {
            return 0;
        }

        // The caller's token is checked between reads; a read waiting on the network ends with the connection's own
        // token (its idle timeout, or the server stopping). No linked source per read: a large literal is thousands.
        ct.ThrowIfCancellationRequested();
        var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
        var data = result.Buffer;
        if (data.IsEmpty && result.IsCompleted)
        {
            input.AdvanceTo(data.End);
            throw new IOException("The connection closed in the middle of a literal.");
        }

        var take = (int)Math.Min(Math.Min(_left, buffer.Length), data.Length);
        System.Buffers.BuffersExtensions.CopyTo(data.Slice(0, take), buffer.Span);
        input.AdvanceTo(data.GetPosition(take));
        _left -= take;
        return take;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read asynchronously.");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
