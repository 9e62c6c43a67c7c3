using System.Text;
using MailHost.Connections;
using MailHost.Protocols.Imap;
using MailHost.Protocols.Mail;
using MailHost.Storage;
using MailHost.Storage.Mime;

namespace MailHost.Imap.Handlers;

/// <summary>SORT and THREAD=ORDEREDSUBJECT and THREAD=REFERENCES (RFC 5256) and ESORT (RFC 5267), from the stored index.</summary>
internal sealed class ImapSortHandler(ImapSessionState session, ImapReplies replies, ImapMailboxUpdates updates)
{
    /// <summary>One message's sort facts; <c>Subject</c> (the base subject) and the addresses are casemap keys.</summary>
    private sealed record SortItem(
        uint Uid,
        uint Seq,
        DateTimeOffset Arrival,
        DateTimeOffset Date,
        long Size,
        string Subject,
        bool IsReplyOrForward,
        string From,
        string To,
        string Cc,
        MessageEnvelope Envelope,
        IReadOnlyList<string> References);

    public async Task SortAsync(SortCommand command)
    {
        var items = await SearchForSortAsync(command.Tag, command.Charset, command.Search).ConfigureAwait(false);
        if (items is null)
        {
            return;
        }

        items.Sort((a, b) =>
        {
            foreach (var criterion in command.Criteria)
            {
                var c = criterion.Key switch
                {
                    ImapSortKey.Arrival => a.Arrival.CompareTo(b.Arrival),
                    ImapSortKey.Cc => ImapUnicodeCasemap.Compare(a.Cc, b.Cc),
                    ImapSortKey.Date => a.Date.CompareTo(b.Date),
                    ImapSortKey.From => ImapUnicodeCasemap.Compare(a.From, b.From),
                    ImapSortKey.Size => a.Size.CompareTo(b.Size),
                    ImapSortKey.Subject => ImapUnicodeCasemap.Compare(a.Subject, b.Subject),
                    _ => ImapUnicodeCasemap.Compare(a.To, b.To),
                };
                if (c != 0)
                {
                    return criterion.Reverse ? -c : c;
                }
            }

            // RFC 5256 §3: exact matches keep sequence-number order.
            return a.Seq.CompareTo(b.Seq);
        });

        var numbers = items.Select(i => command.IsUid ? i.Uid : i.Seq).ToList();
        var returns = command.Return == ImapSearchReturnOptions.None || !command.HasReturn ? ImapSearchReturnOptions.All : command.Return;

        // RFC 7162 §3.1.9: with the MODSEQ criterion SORT reports MODSEQ as SEARCH does (ESORT like ESEARCH).
        var modSeq = ImapSearchCriteriaMapper.UsesModSeq(command.Search)
            ? await ImapSearchResults.ModSeqAsync(session.Selected!, [.. items.Select(i => i.Uid)], returns, session.Stopping).ConfigureAwait(false)
            : null;
        if (!command.HasReturn)
        {
            session.Writer.WriteSearch(numbers, modSeq, "SORT");
        }
        else
        {
            // RFC 5267 §3.2: ESORT answers with ESEARCH; MIN and MAX are the first and last in sort order, ALL keeps the order.
            var any = numbers.Count > 0;
            session.Writer.WriteEsearch(
                command.Tag,
                command.IsUid,
                min: (returns & ImapSearchReturnOptions.Min) != 0 && any ? numbers[0] : null,
                max: (returns & ImapSearchReturnOptions.Max) != 0 && any ? numbers[^1] : null,
                all: (returns & ImapSearchReturnOptions.All) != 0 && any ? ImapSearchResults.InOrder(numbers) : null,
                count: (returns & ImapSearchReturnOptions.Count) != 0 ? (uint)numbers.Count : null,
                modSeq: modSeq);
        }

        await updates.SendAsync(ImapCommandTable.AllowsExpungeResponses(command)).ConfigureAwait(false);
        session.Writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "SORT completed");
    }

    public async Task ThreadAsync(ThreadCommand command)
    {
        var items = await SearchForSortAsync(command.Tag, command.Charset, command.Search).ConfigureAwait(false);
        if (items is null)
        {
            return;
        }

        var messages = items.Select(i => new ImapThreadMessage(
            command.IsUid ? i.Uid : i.Seq,
            MessageIdParser.ParseFirst(i.Envelope.MessageId),
            i.References,
            // RFC 5256 §2.2: only the first valid Message ID of In-Reply-To counts.
            MessageIdParser.ParseFirst(i.Envelope.InReplyTo),
            i.Subject,
            i.IsReplyOrForward,
            i.Date));
        var threads = command.Algorithm == ImapThreadAlgorithm.References
            ? ImapThreader.References(messages)
            : ImapThreader.OrderedSubject(messages);
        session.Writer.WriteThread(threads);
        await updates.SendAsync(ImapCommandTable.AllowsExpungeResponses(command)).ConfigureAwait(false);
        session.Writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "THREAD completed");
    }

    private async Task<List<SortItem>?> SearchForSortAsync(string tag, string charset, ImapSearchKey search)
    {
        var selected = session.Selected!;
        if (!ImapSearchCriteriaMapper.IsSupportedCharset(charset))
        {
            session.Writer.WriteTagged(tag, ImapResponseStatus.No, "BADCHARSET (UTF-8 US-ASCII)", "Unsupported charset");
            return null;
        }

        if (!ImapSearchCriteriaMapper.TryConvert(search, selected, out var criteria, out var usesModSeq))
        {
            replies.WriteInvalidSet(tag);
            return null;
        }

        if (usesModSeq)
        {
            // RFC 7162 §3.1.9: MODSEQ in SORT or THREAD criteria is a search with MODSEQ: CONDSTORE-enabling.
            session.EnableCondstore();
        }

        var started = MailHostMetrics.StoreOperationStarting();
        var result = await selected.View.SearchAsync(criteria, session.Stopping).ConfigureAwait(false);
        MailHostMetrics.StoreOperationEnded(started, "search", selected.View);
        if (!result.IsSuccess)
        {
            replies.WriteStoreError(tag, result.Error);
            return null;
        }

        var items = new List<SortItem>();
        var uids = result.Value.Uids.Where(u => selected.Messages.SequenceOf(u) > 0).ToList();
        if (uids.Count == 0)
        {
            return items;
        }

        await foreach (var message in selected.View.FetchAsync(UidSet.FromUids(uids), FetchOptions.WithIndex, session.Stopping).ConfigureAwait(false))
        {
            var seq = selected.Messages.SequenceOf(message.Uid);
            if (seq == 0)
            {
                continue;
            }

            var envelope = message.Index?.Envelope ?? MessageEnvelope.Empty;
            var subject = ImapSortSubject.BaseSubject(envelope.Subject, out var isReplyOrForward);

            // RFC 5256 §3 DATE: the sent date, or INTERNALDATE when the Date header is missing or invalid.
            items.Add(new SortItem(
                message.Uid,
                seq,
                message.InternalDate,
                message.Index?.SentDate ?? message.InternalDate,
                message.Size,
                ImapUnicodeCasemap.Key(subject),
                isReplyOrForward,
                FirstMailbox(envelope.From),
                FirstMailbox(envelope.To),
                FirstMailbox(envelope.Cc),
                envelope,
                message.Index?.References ?? []));
        }

        return items;
    }

    /// <summary>
    /// RFC 5256 §3 FROM, TO, CC: the [IMAP] addr-mailbox of the first address, as a casemap key; neither the display
    /// name nor the domain counts. The first address of a group is its start marker, whose addr-mailbox is the group
    /// name (RFC 9051 §7.5.2). A quoted local part counts by its content. No address sorts as the empty string.
    /// </summary>
    private static string FirstMailbox(IReadOnlyList<EnvelopeAddress> addresses)
    {
        var mailbox = addresses.Count > 0 ? addresses[0].Mailbox ?? "" : "";
        if (mailbox.Length >= 2 && mailbox[0] == '"' && mailbox[^1] == '"')
        {
            // RFC 5322 §3.2.4: the quotes and quoted-pair backslashes are not part of the value.
            var unquoted = new StringBuilder(mailbox.Length);
            for (var i = 1; i < mailbox.Length - 1; i++)
            {
                if (mailbox[i] == '\\' && i + 1 < mailbox.Length - 1)
                {
                    i++;
                }

                unquoted.Append(mailbox[i]);
            }

            mailbox = unquoted.ToString();
        }

        return ImapUnicodeCasemap.Key(mailbox);
    }
}
