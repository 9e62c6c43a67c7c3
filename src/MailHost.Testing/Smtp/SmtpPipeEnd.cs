using System.Buffers;
using System.IO.Pipelines;

namespace MailHost.Testing.Smtp;

/// <summary>One side of the SMTP conversation the fault layer relays: the client's, or the session's.</summary>
internal sealed class SmtpPipeEnd(PipeReader input, PipeWriter output) : IDuplexPipe
{
    /// <summary>No SMTP line is this long (RFC 5321 §4.5.3.1.4 allows 512 for commands, §4.5.3.1.6 1000 for text); a
    /// longer "line" is someone else's protocol, and the relay gives up on it rather than buffer it without end.</summary>
    private const int MaxLineLength = 64 * 1024;

    public PipeReader Input { get; } = input;

    public PipeWriter Output { get; } = output;

    /// <summary>Reads one line with its CRLF; <see langword="null"/> when the other side has finished.</summary>
    /// <exception cref="InvalidDataException">The line is longer than any SMTP line.</exception>
    public async ValueTask<byte[]?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await Input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var end = buffer.PositionOf((byte)'\n');
            if (end is { } lf)
            {
                var line = buffer.Slice(0, buffer.GetPosition(1, lf));
                var bytes = line.ToArray();
                Input.AdvanceTo(line.End);
                return bytes;
            }

            if (buffer.Length > MaxLineLength)
            {
                throw new InvalidDataException($"An SMTP line longer than {MaxLineLength} bytes.");
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                Input.AdvanceTo(buffer.End);
                return null;
            }

            Input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes (a BDAT chunk); <see langword="null"/> if the side ends first.</summary>
    public async ValueTask<byte[]?> ReadExactlyAsync(long count, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await Input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length >= count)
            {
                var chunk = buffer.Slice(0, count);
                var bytes = chunk.ToArray();
                Input.AdvanceTo(chunk.End);
                return bytes;
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                Input.AdvanceTo(buffer.End);
                return null;
            }

            Input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Writes and flushes.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) =>
        await Output.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
}
