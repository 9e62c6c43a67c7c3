using System.Buffers;
using System.IO.Pipelines;
using MailHost.Connections;

namespace MailHost.Imap;

/// <summary>
/// The session's output: forwards to the connection's <see cref="PipeWriter"/> and, when the protocol trace is on,
/// traces each line the <see cref="Protocols.Imap.ImapResponseWriter"/> writes. Message data written with
/// <see cref="WritePayloadAsync"/> bypasses the trace and is summarised by size instead. Every flush goes through the
/// connection's <see cref="MailOutputFlusher"/> (the write timeout).
/// </summary>
internal sealed class ImapOutput(PipeWriter pipe, ProtocolTrace trace, MailOutputFlusher flusher) : IBufferWriter<byte>
{
    private const int MaxTracedLine = 8 * 1024;
    private readonly byte[] _line = new byte[MaxTracedLine];
    private int _lineLength;
    private Memory<byte> _last;

    /// <summary>The writer responses go to; the session's read flushes it before waiting for the client.</summary>
    public PipeWriter Pipe { get; } = pipe;

    /// <summary>Whether enough is buffered that it must be flushed before the session reads or produces more.</summary>
    public bool IsFull => MailOutputFlusher.IsFull(Pipe);

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
    /// <remarks><paramref name="cancellationToken"/> cancels reading the source; the flushes keep to the write timeout.</remarks>
    public async ValueTask WritePayloadAsync(Stream source, long length, CancellationToken cancellationToken)
    {
        var left = length;
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
            if (IsFull)
            {
                await FlushAsync().ConfigureAwait(false);
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

    /// <summary>Flushes within the write timeout; a client that reads nothing meanwhile has its connection aborted.</summary>
    public ValueTask FlushAsync() => flusher.FlushAsync(Pipe);

    /// <summary>Flushes when <see cref="IsFull"/>: keeps a long run of responses from piling up in memory.</summary>
    public ValueTask FlushIfFullAsync() => IsFull ? FlushAsync() : ValueTask.CompletedTask;

    private void Capture(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var lf = bytes.IndexOf((byte)'\n');
            var piece = lf < 0 ? bytes : bytes[..(lf + 1)];
            var room = MaxTracedLine - _lineLength;
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
