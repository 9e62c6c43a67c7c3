using MailHost.Protocols.Imap;
using MailHost.Storage;
using MailHost.Storage.Mime;
using MimeKit.Encodings;

namespace MailHost.Imap;

/// <summary>
/// BINARY (RFC 3516): <c>BINARY[part]</c> and <c>BINARY.SIZE[part]</c> give a leaf part with its content-transfer-encoding
/// removed; the result goes out as <c>literal8</c> only when it holds NUL.
/// </summary>
internal sealed partial class ImapSession
{
    private const int DecodeChunk = 16 * 1024;

    // Set when a FETCH met a content-transfer-encoding it cannot undo; the FETCH then ends NO [UNKNOWN-CTE].
    private bool _unknownTransferEncoding;

    /// <summary>Writes the value of <c>BINARY[part]&lt;origin&gt;</c> or <c>BINARY.SIZE[part]</c>, after its label.</summary>
    private async Task WriteBinaryAsync(MessageData message, ImapFetchItem item)
    {
        var section = item.Section ?? ImapSection.Whole;
        bool size = item.Kind == ImapFetchItemKind.BinarySize;
        var region = FindRegion(message, new ImapSection(section.Part, ImapSectionKind.Full, []));
        if (region is null)
        {
            _writer.WriteRaw(size ? "0"u8 : "\"\""u8);
            return;
        }

        var (start, length, node) = region.Value;
        var encoding = node is null || node.IsMultipart || node.Message is not null ? "7BIT" : node.TransferEncoding.ToUpperInvariant();
        if (encoding is "7BIT" or "8BIT" or "BINARY")
        {
            // The identity encodings (RFC 2045 §6.2): the stored octets are the content.
            if (size)
            {
                _writer.WriteNumber((ulong)length);
                return;
            }

            var (offset, count) = Partial(length, item);
            bool nul = await ContainsNulAsync(message, start + offset, count).ConfigureAwait(false);
            await WriteRegionAsync(message, start + offset, count, binary: nul).ConfigureAwait(false);
            return;
        }

        if (TransferDecoder.Create(encoding) is not { } decoder)
        {
            // RFC 3516 §4.2: an encoding the server cannot decode fails the FETCH with [UNKNOWN-CTE].
            _unknownTransferEncoding = true;
            _writer.WriteRaw("NIL"u8);
            return;
        }

        // Two passes keep memory bounded whatever the part's size: the first counts the decoded octets (the literal's
        // length must come first) and looks for NUL in the requested range; the second decodes again and streams
        // only that range. The range is known before the length: it starts at the origin and is only cut short.
        long skip = item.PartialOffset ?? 0;
        long take = item.PartialLength ?? long.MaxValue;
        var (decodedLength, hasNul, _) = await DecodeAsync(message, start, length, decoder, skip, take, write: false).ConfigureAwait(false);
        if (size)
        {
            _writer.WriteNumber((ulong)decodedLength);
            return;
        }

        var (o, l) = Partial(decodedLength, item);

        // RFC 3516 §4.3: data without NUL SHOULD be a string, so the client learns from the literal's form alone.
        _writer.WriteLiteralHeader(l, binary: hasNul);
        var (_, _, written) = await DecodeAsync(message, start, length, decoder, o, l, write: true).ConfigureAwait(false);
        if (written < l)
        {
            // Expunged and released between the passes: keep the literal's promised length so the stream stays in sync.
            _output.WritePayload(new byte[l - written]);
        }
    }

    /// <summary>Whether the stored octets in [<paramref name="offset"/>, +<paramref name="length"/>) hold NUL.</summary>
    private async Task<bool> ContainsNulAsync(MessageData message, long offset, long length)
    {
        length = Math.Max(0, Math.Min(length, message.Size - offset));
        if (length == 0)
        {
            return false;
        }

        var stream = await message.Content.OpenAsync(offset, length, _stopping).ConfigureAwait(false);
        if (stream is null)
        {
            return false;
        }

        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[DecodeChunk];
            int read;
            while ((read = await stream.ReadAsync(buffer, _stopping).ConfigureAwait(false)) > 0)
            {
                if (buffer.AsSpan(0, read).Contains((byte)0))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Decodes the region chunk by chunk. Counts every decoded octet and says whether any in [<paramref name="skip"/>,
    /// <paramref name="skip"/> + <paramref name="take"/>) is NUL; with <paramref name="write"/>, also sends the octets
    /// of that range and returns how many were sent.
    /// </summary>
    private async Task<(long Length, bool HasNul, long Written)> DecodeAsync(
        MessageData message, long start, long length, TransferDecoder decoder, long skip, long take, bool write)
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
        decoder.Reset();
        await using (stream.ConfigureAwait(false))
        {
            var input = new byte[DecodeChunk];
            var buffer = new byte[decoder.GetMaxOutputLength(input.Length)];
            bool more = true;
            while (more)
            {
                int read = await stream.ReadAsync(input, _stopping).ConfigureAwait(false);
                more = read > 0;

                // The end of the part can release octets the decoder held back (RFC 2045 §6.7 trailing whitespace).
                int decoded = more ? decoder.Decode(input, read, buffer) : decoder.Flush(buffer);
                var chunk = buffer.AsSpan(0, decoded);
                var from = Math.Max(skip - total, 0);
                var to = Math.Min(skip + Math.Min(take, long.MaxValue - skip) - total, decoded);
                if (from < to)
                {
                    var range = chunk[(int)from..(int)to];
                    hasNul |= range.Contains((byte)0);
                    if (write)
                    {
                        _output.WritePayload(range);
                        written += to - from;
                        await _output.FlushAsync().ConfigureAwait(false);
                    }
                }

                total += decoded;
            }
        }

        return (total, hasNul, written);
    }

    /// <summary>A streaming decoder for one of the content-transfer-encodings BINARY undoes (RFC 2045 §6.7, §6.8).</summary>
    private sealed class TransferDecoder
    {
        private readonly Base64Decoder? _base64;
        private readonly QuotedPrintableBodyDecoder? _quotedPrintable;

        private TransferDecoder(Base64Decoder? base64, QuotedPrintableBodyDecoder? quotedPrintable)
        {
            _base64 = base64;
            _quotedPrintable = quotedPrintable;
        }

        /// <summary>A decoder for <paramref name="encoding"/> (upper case), or null for one the server cannot decode.</summary>
        public static TransferDecoder? Create(string encoding) => encoding switch
        {
            "BASE64" => new TransferDecoder(new Base64Decoder(), null),
            "QUOTED-PRINTABLE" => new TransferDecoder(null, new QuotedPrintableBodyDecoder()),
            _ => null,
        };

        public int GetMaxOutputLength(int inputLength) => _base64 is not null
            ? _base64.EstimateOutputLength(inputLength)
            : QuotedPrintableBodyDecoder.GetMaxOutputLength(inputLength);

        public int Decode(byte[] input, int count, byte[] output) => _base64 is not null
            ? _base64.Decode(input, 0, count, output)
            : _quotedPrintable!.Decode(input.AsSpan(0, count), output);

        /// <summary>Ends the part. Base64 drops an incomplete final quantum; quoted-printable releases what it held.</summary>
        public int Flush(byte[] output) => _quotedPrintable?.Flush(output) ?? 0;

        public void Reset()
        {
            _base64?.Reset();
            _quotedPrintable?.Reset();
        }
    }
}
