using MailHost.Connections;
using MailHost.Protocols.Imap;

namespace MailHost.Imap.Handlers;

/// <summary>SEARCH (RFC 9051 §6.4.4) with ESEARCH (RFC 4731), SEARCHRES (RFC 5182), CONDSTORE MODSEQ (RFC 7162) and WITHIN (RFC 5032).</summary>
internal sealed class ImapSearchHandler(ImapSessionState session, ImapReplies replies, ImapMailboxUpdates updates)
{
    public async Task SearchAsync(SearchCommand command)
    {
        var selected = session.Selected!;
        var writer = session.Writer;
        if (command.Charset is { } charset && !ImapSearchCriteriaMapper.IsSupportedCharset(charset))
        {
            // RFC 9051 §6.4.4: an unknown charset gets [BADCHARSET (supported...)].
            writer.WriteTagged(command.Tag, ImapResponseStatus.No, "BADCHARSET (UTF-8 US-ASCII)", "Unsupported charset");
            return;
        }

        var save = (command.Return & ImapSearchReturnOptions.Save) != 0;
        if (!ImapSearchCriteriaMapper.TryConvert(command.Criteria, selected, out var criteria, out var usesModSeq))
        {
            replies.WriteInvalidSet(command.Tag);
            return;
        }

        if (usesModSeq)
        {
            // RFC 7162 §3.1: SEARCH with the MODSEQ criterion is CONDSTORE-enabling.
            session.EnableCondstore();
        }

        var started = MailHostMetrics.StoreOperationStarting();
        var result = await selected.View.SearchAsync(criteria, session.Stopping).ConfigureAwait(false);
        MailHostMetrics.StoreOperationEnded(started, "search", selected.View);
        if (!result.IsSuccess)
        {
            if (save)
            {
                // RFC 5182 §2.1: a failed SEARCH ... SAVE empties $.
                selected.SavedSearch = [];
            }

            replies.WriteStoreError(command.Tag, result.Error);
            return;
        }

        var uids = result.Value.Uids.Where(u => selected.Messages.SequenceOf(u) > 0).Order().ToList();
        var numbers = command.IsUid ? uids : [.. uids.Select(selected.Messages.SequenceOf)];
        var returns = command.Return;
        var extended = command.HasReturn || session.Rev2;
        if (extended && (returns & ~ImapSearchReturnOptions.Save) == 0 && !(save && command.HasReturn))
        {
            // RFC 4731 §3.1: RETURN () means ALL; IMAP4rev2 always answers with ESEARCH.
            returns |= ImapSearchReturnOptions.All;
        }

        var modSeq = usesModSeq
            ? await ImapSearchResults.ModSeqAsync(selected, uids, extended ? returns : ImapSearchReturnOptions.All, session.Stopping).ConfigureAwait(false)
            : null;

        if (save)
        {
            // RFC 5182 §2.4: with MIN or MAX alone, only those are saved.
            selected.SavedSearch = (returns & (ImapSearchReturnOptions.All | ImapSearchReturnOptions.Count)) == 0
                && (returns & (ImapSearchReturnOptions.Min | ImapSearchReturnOptions.Max)) != 0 && uids.Count > 0
                ? [.. new[] { (returns & ImapSearchReturnOptions.Min) != 0 ? uids[0] : 0, (returns & ImapSearchReturnOptions.Max) != 0 ? uids[^1] : 0 }.Where(u => u != 0).Distinct()]
                : uids;
        }

        if (!extended)
        {
            writer.WriteSearch(numbers, modSeq);
        }
        else if ((returns & ~ImapSearchReturnOptions.Save) != 0)
        {
            var any = numbers.Count > 0;
            writer.WriteEsearch(
                command.Tag,
                command.IsUid,
                min: (returns & ImapSearchReturnOptions.Min) != 0 && any ? numbers[0] : null,
                max: (returns & ImapSearchReturnOptions.Max) != 0 && any ? numbers[^1] : null,
                all: (returns & ImapSearchReturnOptions.All) != 0 && any ? ImapSearchResults.InOrder(numbers) : null,
                count: (returns & ImapSearchReturnOptions.Count) != 0 ? (uint)numbers.Count : null,
                modSeq: modSeq);
        }

        await updates.SendAsync(ImapCommandTable.AllowsExpungeResponses(command)).ConfigureAwait(false);
        writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "SEARCH completed");
    }
}
