using MailHost.Protocols.Imap;
using MailHost.Storage;
using MimeKit.Encodings;

namespace MailHost.Imap;

/// <summary>
/// BINARY (RFC 3516): <c>BINARY[part]</c> and <c>BINARY.SIZE[part]</c> give a leaf part with its content-transfer-encoding
/// removed; the result goes out as <c>literal8</c> when it holds NUL.
/// </summary>
internal sealed partial class ImapSession
{
    // Set when a FETCH met a content-transfer-encoding it cannot undo; the FETCH then ends NO [UNKNOWN-CTE].
    private bool _unknownTransferEncoding;

    /// <summary>Writes <c>BINARY[part]&lt;origin&gt; value</c> or <c>BINARY.SIZE[part] n</c>.</summary>
    private async Task WriteBinaryAsync(MessageData message, ImapFetchItem item)
    {
        var section = item.Section ?? ImapSection.Whole;
        bool size = item.Kind == ImapFetchItemKind.BinarySize;
        _writer.WriteRaw(size ? "BINARY.SIZE["u8 : "BINARY["u8);
        WriteSectionSpec(new ImapSection(section.Part, ImapSectionKind.Full, []));
        _writer.WriteByte((byte)']');
        if (!size && item.PartialOffset is { } origin)
        {
            _writer.WriteByte((byte)'<');
            _writer.WriteNumber((ulong)origin);
            _writer.WriteByte((byte)'>');
        }

        _writer.WriteSpace();
        var region = FindRegion(message, new ImapSection(section.Part, ImapSectionKind.Full, []));
        if (region is null)
        {
            _writer.WriteRaw(size ? "0"u8 : "\"\""u8);
            return;
        }

        var (start, length, node) = region.Value;
        var encoding = node is null || node.IsMultipart || node.Message is not null ? "7BIT" : node.TransferEncoding.ToUpperInvariant();
        IMimeDecoder? decoder = encoding switch
        {
            "BASE64" => new Base64Decoder(),
            "QUOTED-PRINTABLE" => new QuotedPrintableDecoder(),
            "7BIT" or "8BIT" or "BINARY" => null,
            _ => null,
        };
        if (encoding is not ("BASE64" or "QUOTED-PRINTABLE" or "7BIT" or "8BIT" or "BINARY"))
        {
            // RFC 3516 §4.2: an encoding the server cannot decode fails the FETCH with [UNKNOWN-CTE].
            _unknownTransferEncoding = true;
            _writer.WriteRaw("NIL"u8);
            return;
        }

        if (decoder is null)
        {
            if (size)
            {
                _writer.WriteNumber((ulong)length);
                return;
            }

            var (offset, count) = Partial(length, item);
            await WriteRegionAsync(message, start + offset, count, binary: true).ConfigureAwait(false);
            return;
        }

        var decoded = await DecodeAsync(message, start, length, decoder).ConfigureAwait(false);
        if (size)
        {
            _writer.WriteNumber((ulong)decoded.Length);
            return;
        }

        var (o, l) = Partial(decoded.Length, item);
        var bytes = decoded.AsSpan((int)o, (int)l);
        _writer.WriteLiteralHeader(l, binary: bytes.Contains((byte)0));
        _output.WritePayload(bytes);
    }

    private async Task<byte[]> DecodeAsync(MessageData message, long start, long length, IMimeDecoder decoder)
    {
        var stream = await message.Content.OpenAsync(start, length, _stopping).ConfigureAwait(false);
        if (stream is null)
        {
            return [];
        }

        await using (stream.ConfigureAwait(false))
        {
            using var output = new MemoryStream();
            var input = new byte[16 * 1024];
            var buffer = new byte[decoder.EstimateOutputLength(input.Length)];
            int read;
            while ((read = await stream.ReadAsync(input, _stopping).ConfigureAwait(false)) > 0)
            {
                int written = decoder.Decode(input, 0, read, buffer);
                output.Write(buffer, 0, written);
            }

            return output.ToArray();
        }
    }
}
