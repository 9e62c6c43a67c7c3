using System.Text;
using MailHost.Connections;
using MailHost.Protocols.Imap;
using MailHost.Storage;
using MailHost.Storage.Mime;

namespace MailHost.Imap.Handlers;

/// <summary>
/// FETCH and UID FETCH (RFC 9051 §6.4.5, §6.4.9) with CONDSTORE/QRESYNC modifiers (RFC 7162), OBJECTID (RFC 8474),
/// SAVEDATE (RFC 8514) and PREVIEW (RFC 8970). Everything comes from the stored index; the content items are written
/// by <see cref="ImapMessageContentWriter"/>.
/// </summary>
internal sealed class ImapFetchHandler(ImapSessionState session, ImapReplies replies, ImapMailboxUpdates updates)
{
    private readonly ImapMessageContentWriter _content = new(session);

    public async Task FetchAsync(FetchCommand command)
    {
        var selected = session.Selected!;
        if (!selected.TryResolve(command.Set, command.IsUid, out var uids))
        {
            replies.WriteInvalidSet(command.Tag);
            return;
        }

        if (command.Vanished && !session.Qresync)
        {
            session.Writer.WriteTagged(command.Tag, ImapResponseStatus.Bad, "CLIENTBUG", "QRESYNC is not enabled");
            return;
        }

        if (command.ChangedSince is not null || command.Items.Any(i => i.Kind == ImapFetchItemKind.ModSeq))
        {
            // RFC 7162 §3.1: FETCH of MODSEQ, and the CHANGEDSINCE modifier (§3.1.4), are CONDSTORE-enabling.
            session.EnableCondstore();
        }

        if (command.Vanished)
        {
            // RFC 7162 §3.2.6: UID FETCH ... (CHANGEDSINCE m VANISHED) reports expunged UIDs of the set first.
            var vanished = await selected.View.GetVanishedAsync(command.ChangedSince!.Value, session.Stopping).ConfigureAwait(false);
            if (vanished.IsSuccess)
            {
                var gone = vanished.Value.Where(u => command.Set.IsSavedResult || command.Set.Contains(u, selected.Messages.Count == 0 ? uint.MaxValue : Math.Max(selected.Messages.Uids[^1], u))).ToList();
                if (gone.Count > 0)
                {
                    session.Writer.WriteRaw("* VANISHED (EARLIER) "u8);
                    session.Writer.WriteRaw(Encoding.ASCII.GetBytes(UidSet.FromUids(gone).ToString()));
                    session.Writer.WriteCrlf();
                }
            }
        }

        var items = command.Items;
        var needIndex = items.Any(i => i.Kind is ImapFetchItemKind.Envelope or ImapFetchItemKind.BodyStructure or ImapFetchItemKind.Body
            or ImapFetchItemKind.Preview or ImapFetchItemKind.Rfc822Header or ImapFetchItemKind.Rfc822Text
            || (i.Kind is ImapFetchItemKind.Binary or ImapFetchItemKind.BinarySize && i.Section is { Part.Count: > 0 })
            || (i.Kind == ImapFetchItemKind.BodySection && (i.Section is null || i.Section.Part.Count > 0 || i.Section.Kind != ImapSectionKind.Full)));

        // RFC 9051 §6.4.5: BODY[...] without .PEEK, RFC822 and RFC822.TEXT set \Seen.
        var setsSeen = !selected.ReadOnly && items.Any(i => (i.Kind is ImapFetchItemKind.BodySection or ImapFetchItemKind.Binary && !i.Peek)
            || i.Kind is ImapFetchItemKind.Rfc822 or ImapFetchItemKind.Rfc822Text);
        var seenChanged = new HashSet<uint>();
        if (setsSeen && !uids.IsEmpty)
        {
            var seen = await selected.View.StoreFlagsAsync(uids, FlagOperation.Add, MessageFlags.Seen, [], null, session.Stopping).ConfigureAwait(false);
            if (seen.IsSuccess)
            {
                seenChanged.UnionWith(seen.Value.Messages.Where(m => m.Changed).Select(m => m.Uid));
            }
        }

        _content.Reset();
        var expected = 0;
        var found = 0;
        if (!uids.IsEmpty)
        {
            expected = (int)Math.Min(uids.Count, int.MaxValue);
            var rowItemsOnly = items.All(i => IsRowItem(i.Kind));
            var options = new FetchOptions(needIndex, command.ChangedSince) { ReadsContent = !rowItemsOnly };
            var next = 0;
            var fetched = MailHostMetrics.TimedStoreEnumeration(selected.View.FetchAsync(uids, options, session.Stopping), "fetch", selected.View);
            await foreach (var message in fetched.ConfigureAwait(false))
            {
                found++;
                var seq = selected.Messages.SequenceOf(message.Uid, ref next);
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

                await session.Output.FlushIfFullAsync().ConfigureAwait(false);
            }
        }

        await updates.SendAsync(ImapCommandTable.AllowsExpungeResponses(command)).ConfigureAwait(false);
        if (_content.UnknownTransferEncoding)
        {
            session.Writer.WriteTagged(command.Tag, ImapResponseStatus.No, "UNKNOWN-CTE", "Cannot decode the content-transfer-encoding");
            return;
        }

        // The store keeps every message of the view readable until the session announces its expunge (RFC 2180
        // §4.1.1), so this is only for content truly gone (the mailbox deleted, or another process expunged).
        if (_content.ContentGone || (!command.IsUid && command.ChangedSince is null && found < expected))
        {
            // RFC 9051 §7.1: some requested messages were expunged by another session meanwhile.
            session.Writer.WriteTagged(command.Tag, ImapResponseStatus.No, "EXPUNGEISSUED", "Some messages were expunged");
            return;
        }

        session.Writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "FETCH completed");
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
        updates.AnnounceKeywords(message.Keywords);
        var fetch = new ImapFetchResponse(session.Writer, seq);
        foreach (var item in command.Items)
        {
            WriteRowItem(ref fetch, item, message);
        }

        FinishFetchResponse(ref fetch, message, command, seenChanged);
    }

    private async Task WriteFetchResponseAsync(uint seq, MessageData message, FetchCommand command, bool seenChanged)
    {
        updates.AnnounceKeywords(message.Keywords);
        var fetch = new ImapFetchResponse(session.Writer, seq);
        foreach (var item in command.Items)
        {
            switch (item.Kind)
            {
                case var kind when IsRowItem(kind):
                    WriteRowItem(ref fetch, item, message);
                    break;
                case ImapFetchItemKind.Rfc822:
                    fetch.BeginRfc822(item.Kind);
                    await _content.WriteRegionAsync(message, 0, message.Size).ConfigureAwait(false);
                    break;
                case ImapFetchItemKind.Rfc822Header:
                    fetch.BeginRfc822(item.Kind);
                    await _content.WriteRegionAsync(message, 0, ImapMessageContentWriter.HeaderLength(message)).ConfigureAwait(false);
                    break;
                case ImapFetchItemKind.Rfc822Text:
                    fetch.BeginRfc822(item.Kind);
                    var header = ImapMessageContentWriter.HeaderLength(message);
                    await _content.WriteRegionAsync(message, header, message.Size - header).ConfigureAwait(false);
                    break;
                case ImapFetchItemKind.BodySection:
                    fetch.BeginSection(item.Section ?? ImapSection.Whole, item.PartialOffset);
                    await _content.WriteSectionAsync(message, item).ConfigureAwait(false);
                    break;
                default:
                    fetch.BeginBinary((item.Section ?? ImapSection.Whole).Part, item.PartialOffset, item.Kind == ImapFetchItemKind.BinarySize);
                    await _content.WriteBinaryAsync(message, item).ConfigureAwait(false);
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
                fetch.Flags(updates.SystemFlags(message.Uid, message.Flags), message.Keywords);
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
        if (command.IsUid || command.Vanished || (session.Qresync && seenChanged))
        {
            fetch.Uid(message.Uid);
        }

        if (seenChanged && !fetch.HasFlags)
        {
            fetch.Flags(updates.SystemFlags(message.Uid, message.Flags | MessageFlags.Seen), message.Keywords);
        }

        if ((command.ChangedSince is not null || (session.Condstore && fetch.HasFlags)) && !fetch.HasModSeq)
        {
            fetch.ModSeq(message.ModSeq);
        }

        fetch.End();
    }
}
