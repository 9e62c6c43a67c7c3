using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Text;

namespace MailHost.Storage.Mime;

/// <summary>
/// Re-encodes as base64 the leaf parts whose content holds NUL (<see cref="IndexedMessage.NulParts"/>), so that a
/// message appended with an IMAP <c>literal8</c> (RFC 3516) can be sent whole in a <c>BODY[]</c> literal, which cannot
/// carry NUL (RFC 9051 §4.3, <c>CHAR8</c>). Only for that APPEND (<see cref="AppendOptions.EncodeNulParts"/>):
/// delivered mail is stored exactly as received.
/// </summary>
/// <remarks>
/// <para>
/// RFC 3516 §4.4 lets the server change the content-transfer-encoding of appended data as long as nothing is lost, and
/// §6 requires BODYSTRUCTURE and <c>BODY[]</c> to show binary sections in an encoding the base protocol can carry.
/// Base64 keeps every octet: <c>BINARY[part]</c> gives back exactly what was sent. Only parts that need it change
/// (§6: "only ... when absolutely necessary"), so 8-bit and binary parts without NUL, and their signatures, stay as
/// they were.
/// </para>
/// <para>
/// Each converted part's header loses its Content-Transfer-Encoding field and gets <c>Content-Transfer-Encoding:
/// base64</c> before the blank line; the body becomes base64 in lines of 76 characters (RFC 2045 §6.8), with the line
/// ending the header block uses. Everything else is copied byte for byte. NUL elsewhere (in a header, or in a part
/// already encoded) is left as it is.
/// </para>
/// </remarks>
public static class BinaryPartEncoder
{
    /// <summary>Largest part header rewritten; a part with a longer header block is left as it is.</summary>
    public const int MaxPartHeaderLength = 1024 * 1024;

    // RFC 2045 §6.8: lines of at most 76 characters, 57 octets each.
    private const int OctetsPerLine = 57;
    private const int LinesPerChunk = 256;

    private static readonly byte[] EncodingField = "Content-Transfer-Encoding"u8.ToArray();

    /// <summary>
    /// Returns <paramref name="spool"/> and <paramref name="indexed"/> unchanged when no part needs re-encoding;
    /// otherwise a new spool holding the converted message (<paramref name="spool"/> is then disposed) and its index.
    /// </summary>
    /// <param name="spool">The message as received.</param>
    /// <param name="indexed">Its index.</param>
    /// <param name="options">Where the new spool goes; its size limit is lifted, since base64 only grows what was accepted by a bounded factor.</param>
    /// <param name="limits">Limits for indexing the converted message.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    public static async Task<StoreResult<(MessageSpool Spool, IndexedMessage Indexed)>> ConvertAsync(
        MessageSpool spool, IndexedMessage indexed, MessageSpoolOptions options, MailStoreLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spool);
        ArgumentNullException.ThrowIfNull(indexed);
        ArgumentNullException.ThrowIfNull(options);
        var parts = indexed.NulParts.Where(p => p.BodyOffset - p.HeaderOffset <= MaxPartHeaderLength).OrderBy(p => p.HeaderOffset).ToList();
        if (parts.Count == 0)
        {
            return (spool, indexed);
        }

        var pipe = new Pipe();
        var writing = ProduceAsync(spool, parts, pipe.Writer, cancellationToken);
        StoreResult<MessageSpool> converted;
        try
        {
            converted = await MessageSpool.CreateAsync(pipe.Reader.AsStream(leaveOpen: true), options with { MaxSize = long.MaxValue }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Unblocks the writer if the spool stopped early; its own failure surfaced through the reader.
            await pipe.Reader.CompleteAsync().ConfigureAwait(false);
            await writing.ConfigureAwait(false);
        }

        if (!converted.IsSuccess)
        {
            return StoreResult<(MessageSpool, IndexedMessage)>.Fail(converted.Error);
        }

        var result = converted.Value;
        try
        {
            IndexedMessage reindexed;
            var reader = result.OpenRead();
            await using (reader.ConfigureAwait(false))
            {
                reindexed = await MimeIndexer.IndexAsync(reader, result.Length, limits, cancellationToken).ConfigureAwait(false);
            }

            await spool.DisposeAsync().ConfigureAwait(false);
            return (result, reindexed);
        }
        catch
        {
            await result.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task ProduceAsync(MessageSpool spool, List<MessagePart> parts, PipeWriter writer, CancellationToken cancellationToken)
    {
        try
        {
            var source = spool.OpenRead();
            await using (source.ConfigureAwait(false))
            {
                await WriteAsync(source, parts, writer.AsStream(leaveOpen: true), cancellationToken).ConfigureAwait(false);
            }

            await writer.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await writer.CompleteAsync(ex).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes the message in <paramref name="source"/> (seekable, positioned anywhere) to <paramref name="destination"/>
    /// with <paramref name="parts"/> (in offset order, not nested in each other) re-encoded as base64.
    /// </summary>
    public static async Task WriteAsync(Stream source, IReadOnlyList<MessagePart> parts, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentNullException.ThrowIfNull(destination);
        var buffer = ArrayPool<byte>.Shared.Rent(OctetsPerLine * LinesPerChunk);
        var encoded = ArrayPool<byte>.Shared.Rent(LinesPerChunk * 78);
        try
        {
            long position = 0;
            source.Seek(0, SeekOrigin.Begin);
            foreach (var part in parts)
            {
                await CopyAsync(source, destination, part.HeaderOffset - position, buffer, cancellationToken).ConfigureAwait(false);
                var header = new byte[part.BodyOffset - part.HeaderOffset];
                await source.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
                var newLine = header.AsSpan().EndsWith("\r\n"u8) ? "\r\n"u8.ToArray() : "\n"u8.ToArray();
                await destination.WriteAsync(RewriteHeader(header, newLine), cancellationToken).ConfigureAwait(false);

                var left = part.EndOffset - part.BodyOffset;
                while (left > 0)
                {
                    var want = (int)Math.Min(left, OctetsPerLine * LinesPerChunk);
                    await source.ReadExactlyAsync(buffer.AsMemory(0, want), cancellationToken).ConfigureAwait(false);
                    left -= want;
                    var length = EncodeLines(buffer.AsSpan(0, want), encoded, newLine);
                    await destination.WriteAsync(encoded.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                }

                position = part.EndOffset;
            }

            await source.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ArrayPool<byte>.Shared.Return(encoded);
        }
    }

    /// <summary>The header block without its Content-Transfer-Encoding fields and with a base64 one before the blank line.</summary>
    private static byte[] RewriteHeader(byte[] header, byte[] newLine)
    {
        using var output = new MemoryStream(header.Length + 40);
        HeaderFieldFilter.Copy(header, output, static name => !Ascii.EqualsIgnoreCase(name, EncodingField));
        output.Write("Content-Transfer-Encoding: base64"u8);
        output.Write(newLine);
        output.Write(newLine);
        return output.ToArray();
    }

    /// <summary>Base64 of <paramref name="octets"/> in lines of 76 characters, each ended by <paramref name="newLine"/>.</summary>
    private static int EncodeLines(ReadOnlySpan<byte> octets, Span<byte> output, ReadOnlySpan<byte> newLine)
    {
        var written = 0;
        while (!octets.IsEmpty)
        {
            var line = octets[..Math.Min(OctetsPerLine, octets.Length)];
            Base64.EncodeToUtf8(line, output[written..], out _, out var count);
            written += count;
            newLine.CopyTo(output[written..]);
            written += newLine.Length;
            octets = octets[line.Length..];
        }

        return written;
    }

    private static async Task CopyAsync(Stream source, Stream destination, long count, byte[] buffer, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(count, buffer.Length)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException("The message ended before a part it indexed.");
            }

            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            count -= read;
        }
    }
}
