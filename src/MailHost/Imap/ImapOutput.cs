using System.Buffers;
using System.IO.Pipelines;
using MailHost.Connections;

namespace MailHost.Imap;

/// <summary>
/// The session's output: forwards to the connection's <see cref="PipeWriter"/> and, when the protocol trace is on,
/// traces each line the <see cref="Protocols.Imap.ImapResponseWriter"/> writes. Message data written with
/// <see cref="WritePayloadAsync"/> bypasses the trace and is summarised by size instead.
/// </summary>
internal sealed class ImapOutput(PipeWriter pipe, ProtocolTrace trace) : IBufferWriter<byte>
{
    private const int MaxTracedLine = 8 * 1024;
    private readonly byte[] _line = new byte[MaxTracedLine];
    private int _lineLength;
    private Memory<byte> _last;

    public PipeWriter Pipe { get; set; } = pipe;

    public void Advance(int count)
    {
        if (trace.IsEnabled)
        {
            Capture(_last.Span[..count]);
        }

        Pipe.Advance(count);
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        _last = Pipe.GetMemory(sizeHint);
        return _last;
    }

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    /// <summary>Copies <paramref name="length"/> octets of message data from <paramref name="source"/> without tracing them.</summary>
    public async ValueTask WritePayloadAsync(Stream source, long length, CancellationToken cancellationToken)
    {
        long left = length;
        while (left > 0)
        {
            var memory = Pipe.GetMemory((int)Math.Min(left, 16 * 1024));
            var read = await source.ReadAsync(memory[..(int)Math.Min(memory.Length, left)], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                // The store promised this many bytes; pad rather than break the literal's framing.
                var pad = (int)Math.Min(left, memory.Length);
                memory.Span[..pad].Fill((byte)' ');
                read = pad;
            }

            Pipe.Advance(read);
            left -= read;
            if (Pipe.UnflushedBytes > 64 * 1024)
            {
                await Pipe.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        trace.SentPayload(length, "message data");
    }

    /// <summary>Writes message data from memory without tracing it.</summary>
    public void WritePayload(ReadOnlySpan<byte> data)
    {
        Pipe.Write(data);
        trace.SentPayload(data.Length, "message data");
    }

    public ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => Pipe.FlushAsync(cancellationToken);

    private void Capture(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            int lf = bytes.IndexOf((byte)'\n');
            var piece = lf < 0 ? bytes : bytes[..(lf + 1)];
            int room = MaxTracedLine - _lineLength;
            piece[..Math.Min(room, piece.Length)].CopyTo(_line.AsSpan(_lineLength));
            _lineLength += Math.Min(room, piece.Length);
            if (lf < 0)
            {
                return;
            }

            trace.Sent(_line.AsSpan(0, _lineLength));
            _lineLength = 0;
            bytes = bytes[(lf + 1)..];
        }
    }
}
