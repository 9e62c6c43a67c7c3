using System.Text;
using MailHost.Protocols.Imap;
using MailHost.Storage;
using MailHost.Storage.Mime;

namespace MailHost.Imap;

/// <summary>
/// FETCH (RFC 9051 §6.4.5) with CONDSTORE/QRESYNC modifiers (RFC 7162), OBJECTID (RFC 8474), SAVEDATE (RFC 8514) and
/// PREVIEW (RFC 8970). Everything comes from the stored index; sections and partials are seeks into the stored bytes,
/// streamed out as literals.
/// </summary>
internal sealed partial class ImapSession
{
    /// <summary>Largest header block read into memory for HEADER.FIELDS filtering.</summary>
    private const int MaxFilteredHeader = 1024 * 1024;

    /// <summary>Whether the FETCH running met a message whose content was gone (its item answered NIL).</summary>
    private bool _contentGone;

    private async Task FetchAsync(FetchCommand command)
    {
        var selected = _selected!;
        if (!TryResolve(command.Set, command.IsUid, out var uids))
        {
            WriteInvalidSet(command.Tag);
            return;
        }

        if (command.Vanished && !_qresync)
        {
            _writer.WriteTagged(command.Tag, ImapResponseStatus.Bad, "CLIENTBUG", "QRESYNC is not enabled");
            return;
        }

        if (command.ChangedSince is not null || command.Items.Any(i => i.Kind == ImapFetchItemKind.ModSeq))
        {
            // RFC 7162 §3.1: FETCH of MODSEQ, and the CHANGEDSINCE modifier (§3.1.4), are CONDSTORE-enabling.
            EnableCondstore();
        }

        if (command.Vanished)
        {
            // RFC 7162 §3.2.6: UID FETCH ... (CHANGEDSINCE m VANISHED) reports expunged UIDs of the set first.
            var vanished = await selected.View.GetVanishedAsync(command.ChangedSince!.Value, _stopping).ConfigureAwait(false);
            if (vanished.IsSuccess)
            {
                var gone = vanished.Value.Where(u => command.Set.IsSavedResult || command.Set.Contains(u, selected.Messages.Count == 0 ? uint.MaxValue : Math.Max(selected.Messages.Uids[^1], u))).ToList();
                if (gone.Count > 0)
                {
                    _writer.WriteRaw("* VANISHED (EARLIER) "u8);
                    _writer.WriteRaw(Encoding.ASCII.GetBytes(UidSet.FromUids(gone).ToString()));
                    _writer.WriteCrlf();
                }
            }
        }

        var items = command.Items;
        bool needIndex = items.Any(i => i.Kind is ImapFetchItemKind.Envelope or ImapFetchItemKind.BodyStructure or ImapFetchItemKind.Body
            or ImapFetchItemKind.Preview or ImapFetchItemKind.Rfc822Header or ImapFetchItemKind.Rfc822Text
            || (i.Kind is ImapFetchItemKind.Binary or ImapFetchItemKind.BinarySize && i.Section is { Part.Count: > 0 })
            || (i.Kind == ImapFetchItemKind.BodySection && (i.Section is null || i.Section.Part.Count > 0 || i.Section.Kind != ImapSectionKind.Full)));

        // RFC 9051 §6.4.5: BODY[...] without .PEEK, RFC822 and RFC822.TEXT set \Seen.
        bool setsSeen = !selected.ReadOnly && items.Any(i => (i.Kind is ImapFetchItemKind.BodySection or ImapFetchItemKind.Binary && !i.Peek)
            || i.Kind is ImapFetchItemKind.Rfc822 or ImapFetchItemKind.Rfc822Text);
        var seenChanged = new HashSet<uint>();
        if (setsSeen && !uids.IsEmpty)
        {
            var seen = await selected.View.StoreFlagsAsync(uids, FlagOperation.Add, MessageFlags.Seen, [], null, _stopping).ConfigureAwait(false);
            if (seen.IsSuccess)
            {
                seenChanged.UnionWith(seen.Value.Messages.Where(m => m.Changed).Select(m => m.Uid));
            }
        }

        _unknownTransferEncoding = false;
        _contentGone = false;
        int expected = 0;
        int found = 0;
        if (!uids.IsEmpty)
        {
            expected = (int)Math.Min(uids.Count, int.MaxValue);
            var options = new FetchOptions(needIndex, command.ChangedSince);
            int next = 0;
            bool rowItemsOnly = items.All(i => IsRowItem(i.Kind));
            await foreach (var message in selected.View.FetchAsync(uids, options, _stopping).ConfigureAwait(false))
            {
                found++;
                uint seq = selected.Messages.SequenceOf(message.Uid, ref next);
                if (seq == 0)
                {
                    continue;
                }

                if (rowItemsOnly)
                {
                    WriteRowFetchResponse(seq, message, command, seenChanged.Contains(message.Uid));
                }
                else
                {
                    await WriteFetchResponseAsync(seq, message, command, seenChanged.Contains(message.Uid)).ConfigureAwait(false);
                }

                await _output.FlushIfFullAsync().ConfigureAwait(false);
            }
        }

        await SendUpdatesAsync(ImapCommandTable.AllowsExpungeResponses(command)).ConfigureAwait(false);
        if (_unknownTransferEncoding)
        {
            _writer.WriteTagged(command.Tag, ImapResponseStatus.No, "UNKNOWN-CTE", "Cannot decode the content-transfer-encoding");
            return;
        }

        // The store keeps every message of the view readable until the session announces its expunge (RFC 2180
        // §4.1.1), so this is only for content truly gone (the mailbox deleted, or another process expunged).
        if (_contentGone || (!command.IsUid && command.ChangedSince is null && found < expected))
        {
            // RFC 9051 §7.1: some requested messages were expunged by another session meanwhile.
            _writer.WriteTagged(command.Tag, ImapResponseStatus.No, "EXPUNGEISSUED", "Some messages were expunged");
            return;
        }

        _writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "FETCH completed");
    }

    /// <summary>Items answered from the message row and its index alone: no content is read.</summary>
    private static bool IsRowItem(ImapFetchItemKind kind) => kind is ImapFetchItemKind.Uid or ImapFetchItemKind.Flags
        or ImapFetchItemKind.InternalDate or ImapFetchItemKind.SaveDate or ImapFetchItemKind.Rfc822Size or ImapFetchItemKind.ModSeq
        or ImapFetchItemKind.EmailId or ImapFetchItemKind.ThreadId or ImapFetchItemKind.Preview or ImapFetchItemKind.Envelope
        or ImapFetchItemKind.Body or ImapFetchItemKind.BodyStructure;

    /// <summary>
    /// Writes a whole response line when every item is a row item (<see cref="IsRowItem"/>): the common FETCH of
    /// flags or headers for many messages, without an asynchronous method per message.
    /// </summary>
    private void WriteRowFetchResponse(uint seq, MessageData message, FetchCommand command, bool seenChanged)
    {
        AnnounceKeywords(message.Keywords);
        var fetch = new ImapFetchResponse(_writer, seq);
        foreach (var item in command.Items)
        {
            WriteRowItem(ref fetch, item, message);
        }

        FinishFetchResponse(ref fetch, message, command, seenChanged);
    }

    private async Task WriteFetchResponseAsync(uint seq, MessageData message, FetchCommand command, bool seenChanged)
    {
        AnnounceKeywords(message.Keywords);
        var fetch = new ImapFetchResponse(_writer, seq);
        foreach (var item in command.Items)
        {
            switch (item.Kind)
            {
                case var kind when IsRowItem(kind):
                    WriteRowItem(ref fetch, item, message);
                    break;
                case ImapFetchItemKind.Rfc822:
                    fetch.BeginRfc822(item.Kind);
                    await WriteRegionAsync(message, 0, message.Size).ConfigureAwait(false);
                    break;
                case ImapFetchItemKind.Rfc822Header:
                    fetch.BeginRfc822(item.Kind);
                    await WriteRegionAsync(message, 0, HeaderLength(message)).ConfigureAwait(false);
                    break;
                case ImapFetchItemKind.Rfc822Text:
                    fetch.BeginRfc822(item.Kind);
                    long header = HeaderLength(message);
                    await WriteRegionAsync(message, header, message.Size - header).ConfigureAwait(false);
                    break;
                case ImapFetchItemKind.BodySection:
                    fetch.BeginSection(item.Section ?? ImapSection.Whole, item.PartialOffset);
                    await WriteSectionAsync(message, item).ConfigureAwait(false);
                    break;
                default:
                    fetch.BeginBinary((item.Section ?? ImapSection.Whole).Part, item.PartialOffset, item.Kind == ImapFetchItemKind.BinarySize);
                    await WriteBinaryAsync(message, item).ConfigureAwait(false);
                    break;
            }
        }

        FinishFetchResponse(ref fetch, message, command, seenChanged);
    }

    private void WriteRowItem(ref ImapFetchResponse fetch, ImapFetchItem item, MessageData message)
    {
        switch (item.Kind)
        {
            case ImapFetchItemKind.Uid:
                fetch.Uid(message.Uid);
                break;
            case ImapFetchItemKind.Flags:
                fetch.Flags(SystemFlags(message.Uid, message.Flags), message.Keywords);
                break;
            case ImapFetchItemKind.InternalDate:
                fetch.InternalDate(message.InternalDate);
                break;
            case ImapFetchItemKind.SaveDate:
                fetch.SaveDate(message.SaveDate);
                break;
            case ImapFetchItemKind.Rfc822Size:
                fetch.Rfc822Size(message.Size);
                break;
            case ImapFetchItemKind.ModSeq:
                fetch.ModSeq(message.ModSeq);
                break;
            case ImapFetchItemKind.EmailId:
                fetch.EmailId(message.EmailId);
                break;
            case ImapFetchItemKind.ThreadId:
                fetch.ThreadId(message.ThreadId);
                break;
            case ImapFetchItemKind.Preview:
                fetch.Preview(message.Index?.Preview);
                break;
            case ImapFetchItemKind.Envelope:
                fetch.Envelope(ImapMessageIndexMapper.ToEnvelope(message.Index?.Envelope ?? MessageEnvelope.Empty));
                break;
            default:
                var body = message.Index?.Body ?? new MessagePart { MediaType = "text", MediaSubtype = "plain", EndOffset = message.Size };
                fetch.BodyStructure(ImapMessageIndexMapper.ToBodyStructure(body), item.Kind == ImapFetchItemKind.BodyStructure);
                break;
        }
    }

    private void FinishFetchResponse(ref ImapFetchResponse fetch, MessageData message, FetchCommand command, bool seenChanged)
    {
        // RFC 9051 §6.4.8: UID FETCH always reports UID; RFC 7162 §3.1.4: CHANGEDSINCE implies MODSEQ;
        // RFC 9051 §6.4.5: an implicit \Seen is reported with FLAGS. RFC 7162 §3.1: once CONDSTORE is on, FLAGS go
        // out with their MODSEQ (the \Seen a FETCH set, and any FLAGS asked for), so the client's cache never holds
        // flags newer than its mod-sequence; §3.2.4: with QRESYNC, a FETCH that set \Seen reports UID too.
        if (command.IsUid || command.Vanished || (_qresync && seenChanged))
        {
            fetch.Uid(message.Uid);
        }

        if (seenChanged && !fetch.HasFlags)
        {
            fetch.Flags(SystemFlags(message.Uid, message.Flags | MessageFlags.Seen), message.Keywords);
        }

        if ((command.ChangedSince is not null || (_condstore && fetch.HasFlags)) && !fetch.HasModSeq)
        {
            fetch.ModSeq(message.ModSeq);
        }

        fetch.End();
    }

    private static long HeaderLength(MessageData message) => message.Index?.HeaderLength ?? message.Size;

    /// <summary>Writes the value of <c>BODY[section]&lt;origin&gt;</c>, after its label.</summary>
    private async Task WriteSectionAsync(MessageData message, ImapFetchItem item)
    {
        var section = item.Section ?? ImapSection.Whole;
        var region = FindRegion(message, section);
        if (region is null)
        {
            // RFC 9051 §6.4.5: a part that does not exist is empty.
            _writer.WriteRaw("\"\""u8);
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
            _writer.WriteLiteralHeader(l);
            _output.WritePayload(filtered.AsSpan((int)o, (int)l));
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
        long offset = Math.Min(origin, length);
        long count = Math.Min(item.PartialLength ?? long.MaxValue, length - offset);
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
            long header = HeaderLength(message);
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

        MessagePart container = index.Body;
        MessagePart? node = null;
        foreach (uint number in section.Part)
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

    private async Task WriteRegionAsync(MessageData message, long offset, long length, bool binary = false)
    {
        length = Math.Max(0, Math.Min(length, message.Size - offset));
        if (length == 0)
        {
            _writer.WriteRaw("{0}\r\n"u8);
            return;
        }

        var stream = await message.Content.OpenAsync(offset, length, _stopping).ConfigureAwait(false);
        if (stream is null)
        {
            WriteContentGone();
            return;
        }

        await using (stream.ConfigureAwait(false))
        {
            // RFC 3516 §4.3: NUL goes only in a literal8, and BINARY data without NUL goes in a plain literal.
            _writer.WriteLiteralHeader(length, binary);
            await _output.WritePayloadAsync(stream, length, _stopping).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Answers NIL (RFC 2180 §4.1.3) for a message whose content is gone, never empty or made-up data that a client
    /// would cache as the message's; the FETCH then ends with NO [EXPUNGEISSUED] (RFC 9051 §7.1), so the client
    /// knows to NOOP and learn of the expunge.
    /// </summary>
    private void WriteContentGone()
    {
        _writer.WriteRaw("NIL"u8);
        _contentGone = true;
    }

    /// <summary>
    /// HEADER.FIELDS (list) and HEADER.FIELDS.NOT (list): the matching header lines and the blank line after them, or
    /// null when the content is gone.
    /// </summary>
    private async Task<byte[]?> FilterHeaderAsync(MessageData message, long start, long length, ImapSection section)
    {
        length = Math.Min(length, MaxFilteredHeader);
        var stream = await message.Content.OpenAsync(start, length, _stopping).ConfigureAwait(false);
        if (stream is null)
        {
            return null;
        }

        byte[] header;
        await using (stream.ConfigureAwait(false))
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, _stopping).ConfigureAwait(false);
            header = copy.ToArray();
        }

        var fields = new HashSet<string>(section.Fields, StringComparer.OrdinalIgnoreCase);
        bool without = section.Kind == ImapSectionKind.HeaderFieldsNot;
        using var output = new MemoryStream();
        HeaderFieldFilter.Copy(header, output, name => fields.Contains(Encoding.ASCII.GetString(name)) != without);

        // RFC 9051 §6.4.5: the blank line between header and body is included.
        output.Write("\r\n"u8);
        return output.ToArray();
    }
}
