using System.Text;
using MailHost.Protocols.Imap;
using MailHost.Storage;
using MailHost.Storage.Mime;

namespace MailHost.Imap.Handlers;

/// <summary>
/// The values of FETCH's content items (RFC 9051 §6.4.5 BODY[section]&lt;partial&gt;, RFC822, RFC822.HEADER, RFC822.TEXT;
/// RFC 3516 BINARY[part] and BINARY.SIZE[part]): seeks into the stored bytes by the stored MIME index, streamed out as
/// literals. What went wrong on the way is kept until the FETCH ends (<see cref="Reset"/>).
/// </summary>
internal sealed class ImapMessageContentWriter(ImapSessionState session)
{
    /// <summary>Largest header block read into memory for HEADER.FIELDS filtering.</summary>
    private const int MaxFilteredHeader = 1024 * 1024;

    private const int DecodeChunk = 16 * 1024;

    /// <summary>A message's content was gone (its item answered NIL): the FETCH ends with NO [EXPUNGEISSUED].</summary>
    public bool ContentGone { get; private set; }

    /// <summary>A content-transfer-encoding could not be undone: the FETCH ends with NO [UNKNOWN-CTE] (RFC 3516 §4.2).</summary>
    public bool UnknownTransferEncoding { get; private set; }

    /// <summary>Forgets the problems of the last FETCH.</summary>
    public void Reset()
    {
        ContentGone = false;
        UnknownTransferEncoding = false;
    }

    /// <summary>Where the body starts: the header's length with its blank line, or the whole message when unindexed.</summary>
    public static long HeaderLength(MessageData message) => message.Index?.HeaderLength ?? message.Size;

    /// <summary>Writes the value of <c>BODY[section]&lt;origin&gt;</c>, after its label.</summary>
    public async Task WriteSectionAsync(MessageData message, ImapFetchItem item)
    {
        var section = item.Section ?? ImapSection.Whole;
        var region = FindRegion(message, section);
        if (region is null)
        {
            // RFC 9051 §6.4.5: a part that does not exist is empty.
            session.Writer.WriteRaw("\"\""u8);
            return;
        }

        var (start, length, _) = region.Value;
        if (section.Kind is ImapSectionKind.HeaderFields or ImapSectionKind.HeaderFieldsNot)
        {
            var filtered = await FilterHeaderAsync(message, start, length, section).ConfigureAwait(false);
            if (filtered is null)
            {
                WriteContentGone();
                return;
            }

            var (o, l) = Partial(filtered.Length, item);
            session.Writer.WriteLiteralHeader(l);
            session.Output.WritePayload(filtered.AsSpan((int)o, (int)l));
            return;
        }

        var (offset, count) = Partial(length, item);
        await WriteRegionAsync(message, start + offset, count).ConfigureAwait(false);
    }

    private static (long Offset, long Length) Partial(long length, ImapFetchItem item)
    {
        if (item.PartialOffset is not { } origin)
        {
            return (0, length);
        }

        // RFC 9051 §6.4.5: a partial beyond the end is empty; one that runs over is cut.
        var offset = Math.Min(origin, length);
        var count = Math.Min(item.PartialLength ?? long.MaxValue, length - offset);
        return (offset, count);
    }

    /// <summary>
    /// Where a section lies in the stored bytes (RFC 9051 §6.4.5 part numbering): null when the part does not exist.
    /// A non-multipart message has one part, 1, its body; a <c>message/rfc822</c> part's children are its message's.
    /// </summary>
    private static (long Start, long Length, MessagePart? Node)? FindRegion(MessageData message, ImapSection section)
    {
        var index = message.Index;
        if (section.Part.Count == 0)
        {
            var header = HeaderLength(message);
            return section.Kind switch
            {
                ImapSectionKind.Full => (0, message.Size, null),
                ImapSectionKind.Text => (header, message.Size - header, null),
                ImapSectionKind.Mime => null,
                _ => (0, header, null),
            };
        }

        if (index is null)
        {
            return null;
        }

        var container = index.Body;
        MessagePart? node = null;
        foreach (var number in section.Part)
        {
            if (node is not null)
            {
                if (node.Message is not null)
                {
                    container = node.Message;
                }
                else if (node.IsMultipart)
                {
                    container = node;
                }
                else
                {
                    return null;
                }
            }

            if (container.IsMultipart)
            {
                if (number == 0 || number > container.Parts.Count)
                {
                    return null;
                }

                node = container.Parts[(int)number - 1];
            }
            else if (number == 1)
            {
                node = container;
            }
            else
            {
                return null;
            }
        }

        return section.Kind switch
        {
            ImapSectionKind.Full => (node!.BodyOffset, node.BodySize, node),
            ImapSectionKind.Mime => (node!.HeaderOffset, node.BodyOffset - node.HeaderOffset, node),
            ImapSectionKind.Text when node!.Message is { } inner => (inner.BodyOffset, inner.EndOffset - inner.BodyOffset, node),
            ImapSectionKind.Text => null,
            _ when node!.Message is { } inner => (inner.HeaderOffset, inner.BodyOffset - inner.HeaderOffset, node),
            _ => null,
        };
    }

    public async Task WriteRegionAsync(MessageData message, long offset, long length, bool binary = false)
    {
        length = Math.Max(0, Math.Min(length, message.Size - offset));
        if (length == 0)
        {
            session.Writer.WriteRaw("{0}\r\n"u8);
            return;
        }

        var stream = await message.Content.OpenAsync(offset, length, session.Stopping).ConfigureAwait(false);
        if (stream is null)
        {
            WriteContentGone();
            return;
        }

        await using (stream.ConfigureAwait(false))
        {
            // RFC 3516 §4.3: NUL goes only in a literal8, and BINARY data without NUL goes in a plain literal.
            session.Writer.WriteLiteralHeader(length, binary);
            await session.Output.WritePayloadAsync(stream, length, session.Stopping).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Answers NIL (RFC 2180 §4.1.3) for a message whose content is gone, never empty or made-up data that a client
    /// would cache as the message's; the FETCH then ends with NO [EXPUNGEISSUED] (RFC 9051 §7.1), so the client
    /// knows to NOOP and learn of the expunge.
    /// </summary>
    private void WriteContentGone()
    {
        session.Writer.WriteRaw("NIL"u8);
        ContentGone = true;
    }

    /// <summary>
    /// HEADER.FIELDS (list) and HEADER.FIELDS.NOT (list): the matching header lines and the blank line after them, or
    /// null when the content is gone.
    /// </summary>
    private async Task<byte[]?> FilterHeaderAsync(MessageData message, long start, long length, ImapSection section)
    {
        length = Math.Min(length, MaxFilteredHeader);
        var stream = await message.Content.OpenAsync(start, length, session.Stopping).ConfigureAwait(false);
        if (stream is null)
        {
            return null;
        }

        byte[] header;
        await using (stream.ConfigureAwait(false))
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, session.Stopping).ConfigureAwait(false);
            header = copy.ToArray();
        }

        var fields = new HashSet<string>(section.Fields, StringComparer.OrdinalIgnoreCase);
        var without = section.Kind == ImapSectionKind.HeaderFieldsNot;
        using var output = new MemoryStream();
        HeaderFieldFilter.Copy(header, output, name => fields.Contains(Encoding.ASCII.GetString(name)) != without);

        // RFC 9051 §6.4.5: the blank line between header and body is included.
        output.Write("\r\n"u8);
        return output.ToArray();
    }


    /// <summary>Writes the value of <c>BINARY[part]&lt;origin&gt;</c> or <c>BINARY.SIZE[part]</c>, after its label.</summary>
    public async Task WriteBinaryAsync(MessageData message, ImapFetchItem item)
    {
        var section = item.Section ?? ImapSection.Whole;
        var size = item.Kind == ImapFetchItemKind.BinarySize;
        var region = FindRegion(message, new ImapSection(section.Part, ImapSectionKind.Full, []));
        if (region is null)
        {
            session.Writer.WriteRaw(size ? "0"u8 : "\"\""u8);
            return;
        }

        var (start, length, node) = region.Value;
        var encoding = node is null || node.IsMultipart || node.Message is not null ? "7BIT" : node.TransferEncoding.ToUpperInvariant();
        if (encoding is "7BIT" or "8BIT" or "BINARY")
        {
            // The identity encodings (RFC 2045 §6.2): the stored octets are the content.
            if (size)
            {
                session.Writer.WriteNumber((ulong)length);
                return;
            }

            var (offset, count) = Partial(length, item);
            var nul = await ContainsNulAsync(message, start + offset, count).ConfigureAwait(false);
            await WriteRegionAsync(message, start + offset, count, binary: nul).ConfigureAwait(false);
            return;
        }

        if (ImapTransferDecoder.Create(encoding) is not { } decoder)
        {
            // RFC 3516 §4.2: an encoding the server cannot decode fails the FETCH with [UNKNOWN-CTE].
            UnknownTransferEncoding = true;
            session.Writer.WriteRaw("NIL"u8);
            return;
        }

        // Two passes keep memory bounded whatever the part's size: the first counts the decoded octets (the literal's
        // length must come first) and looks for NUL in the requested range; the second decodes again and streams
        // only that range. The range is known before the length: it starts at the origin and is only cut short.
        var skip = item.PartialOffset ?? 0;
        var take = item.PartialLength ?? long.MaxValue;
        var (decodedLength, hasNul, _) = await DecodeAsync(message, start, length, decoder, skip, take, write: false).ConfigureAwait(false);
        if (size)
        {
            session.Writer.WriteNumber((ulong)decodedLength);
            return;
        }

        var (o, l) = Partial(decodedLength, item);

        // RFC 3516 §4.3: data without NUL SHOULD be a string, so the client learns from the literal's form alone.
        session.Writer.WriteLiteralHeader(l, binary: hasNul);
        var (_, _, written) = await DecodeAsync(message, start, length, decoder, o, l, write: true).ConfigureAwait(false);
        if (written < l)
        {
            // Expunged and released between the passes: keep the literal's promised length so the stream stays in sync.
            session.Output.WritePayload(new byte[l - written]);
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

        var stream = await message.Content.OpenAsync(offset, length, session.Stopping).ConfigureAwait(false);
        if (stream is null)
        {
            return false;
        }

        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[DecodeChunk];
            int read;
            while ((read = await stream.ReadAsync(buffer, session.Stopping).ConfigureAwait(false)) > 0)
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
        MessageData message, long start, long length, ImapTransferDecoder decoder, long skip, long take, bool write)
    {
        var stream = await message.Content.OpenAsync(start, length, session.Stopping).ConfigureAwait(false);
        if (stream is null)
        {
            // The content is gone: the FETCH ends with NO [EXPUNGEISSUED] rather than pass this off as the data.
            ContentGone = true;
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
            var more = true;
            while (more)
            {
                var read = await stream.ReadAsync(input, session.Stopping).ConfigureAwait(false);
                more = read > 0;

                // The end of the part can release octets the decoder held back (RFC 2045 §6.7 trailing whitespace).
                var decoded = more ? decoder.Decode(input, read, buffer) : decoder.Flush(buffer);
                var chunk = buffer.AsSpan(0, decoded);
                var from = Math.Max(skip - total, 0);
                var to = Math.Min(skip + Math.Min(take, long.MaxValue - skip) - total, decoded);
                if (from < to)
                {
                    var range = chunk[(int)from..(int)to];
                    hasNul |= range.Contains((byte)0);
                    if (write)
                    {
                        session.Output.WritePayload(range);
                        written += to - from;
                        await session.Output.FlushAsync().ConfigureAwait(false);
                    }
                }

                total += decoded;
            }
        }

        return (total, hasNul, written);
    }
}
