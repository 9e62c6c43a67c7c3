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

        // Two passes keep memory bounded whatever the part's size: the first counts the decoded octets (the literal's
        // length must come first) and notes NULs; the second decodes again and streams only the requested range.
        var (decodedLength, hasNul, _) = await DecodeAsync(message, start, length, decoder, 0, 0, write: false).ConfigureAwait(false);
        if (size)
        {
            _writer.WriteNumber((ulong)decodedLength);
            return;
        }

        var (o, l) = Partial(decodedLength, item);
        _writer.WriteLiteralHeader(l, binary: hasNul);
        decoder.Reset();
        var (_, _, written) = await DecodeAsync(message, start, length, decoder, o, l, write: true).ConfigureAwait(false);
        if (written < l)
        {
            // Expunged and released between the passes: keep the literal's promised length so the stream stays in sync.
            _output.WritePayload(new byte[l - written]);
        }
    }

    /// <summary>
    /// Decodes the region chunk by chunk. Counts every decoded octet and whether any is NUL; with
    /// <paramref name="write"/>, also sends the octets in [<paramref name="skip"/>, <paramref name="skip"/> +
    /// <paramref name="take"/>) and returns how many were sent.
    /// </summary>
    private async Task<(long Length, bool HasNul, long Written)> DecodeAsync(
        MessageData message, long start, long length, IMimeDecoder decoder, long skip, long take, bool write)
    {
        var stream = await message.Content.OpenAsync(start, length, _stopping).ConfigureAwait(false);
        if (stream is null)
        {
            // The content is gone: the FETCH ends with NO [EXPUNGEISSUED] rather than pass this off as the data.
            _contentGone = true;
            return (0, false, 0);
        }

        long total = 0;
        long written = 0;
        var hasNul = false;
        await using (stream.ConfigureAwait(false))
        {
            var input = new byte[16 * 1024];
            var buffer = new byte[decoder.EstimateOutputLength(input.Length)];
            int read;
            while ((read = await stream.ReadAsync(input, _stopping).ConfigureAwait(false)) > 0)
            {
                int decoded = decoder.Decode(input, 0, read, buffer);
                var chunk = buffer.AsSpan(0, decoded);
                hasNul |= chunk.Contains((byte)0);
                if (write)
                {
                    var from = Math.Max(skip - total, 0);
                    var to = Math.Min(skip + take - total, decoded);
                    if (from < to)
                    {
                        _output.WritePayload(chunk[(int)from..(int)to]);
                        written += to - from;
                        await _output.FlushAsync(_stopping).ConfigureAwait(false);
                    }
                }

                total += decoded;
            }
        }

        return (total, hasNul, written);
    }
}
