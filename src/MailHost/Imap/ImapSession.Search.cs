using MailHost.Protocols.Imap;
using MailHost.Storage;
using MailHost.Storage.Search;

namespace MailHost.Imap;

/// <summary>SEARCH (RFC 9051 §6.4.4) with ESEARCH (RFC 4731), SEARCHRES (RFC 5182), CONDSTORE MODSEQ (RFC 7162) and WITHIN (RFC 5032).</summary>
internal sealed partial class ImapSession
{
    private async Task SearchAsync(SearchCommand command)
    {
        var selected = _selected!;
        if (command.Charset is { } charset && !IsSupportedCharset(charset))
        {
            // RFC 9051 §6.4.4: an unknown charset gets [BADCHARSET (supported...)].
            _writer.WriteTagged(command.Tag, ImapResponseStatus.No, "BADCHARSET (UTF-8 US-ASCII)", "Unsupported charset");
            return;
        }

        bool save = (command.Return & ImapSearchReturnOptions.Save) != 0;
        if (!TryConvert(command.Criteria, out var criteria, out bool usesModSeq))
        {
            WriteInvalidSet(command.Tag);
            return;
        }

        if (usesModSeq)
        {
            // RFC 7162 §3.1: SEARCH with the MODSEQ criterion is CONDSTORE-enabling.
            EnableCondstore();
        }

        var result = await selected.View.SearchAsync(criteria, _stopping).ConfigureAwait(false);
        if (!result.IsSuccess)
        {
            if (save)
            {
                // RFC 5182 §2.1: a failed SEARCH ... SAVE empties $.
                selected.SavedSearch = [];
            }

            WriteStoreError(command.Tag, result.Error);
            return;
        }

        var uids = result.Value.Uids.Where(u => selected.Messages.SequenceOf(u) > 0).Order().ToList();
        var numbers = command.IsUid ? uids : [.. uids.Select(selected.Messages.SequenceOf)];
        var returns = command.Return;
        bool extended = command.HasReturn || _rev2;
        if (extended && (returns & ~ImapSearchReturnOptions.Save) == 0 && !(save && command.HasReturn))
        {
            // RFC 4731 §3.1: RETURN () means ALL; IMAP4rev2 always answers with ESEARCH.
            returns |= ImapSearchReturnOptions.All;
        }

        ulong? modSeq = usesModSeq ? await ResultModSeqAsync(uids, extended ? returns : ImapSearchReturnOptions.All).ConfigureAwait(false) : null;

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
            _writer.WriteSearch(numbers, modSeq);
        }
        else if ((returns & ~ImapSearchReturnOptions.Save) != 0)
        {
            bool any = numbers.Count > 0;
            _writer.WriteEsearch(
                command.Tag,
                command.IsUid,
                min: (returns & ImapSearchReturnOptions.Min) != 0 && any ? numbers[0] : null,
                max: (returns & ImapSearchReturnOptions.Max) != 0 && any ? numbers[^1] : null,
                all: (returns & ImapSearchReturnOptions.All) != 0 && any ? ToSequenceSet(numbers) : null,
                count: (returns & ImapSearchReturnOptions.Count) != 0 ? (uint)numbers.Count : null,
                modSeq: modSeq);
        }

        await SendUpdatesAsync(ImapCommandTable.AllowsExpungeResponses(command)).ConfigureAwait(false);
        _writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "SEARCH completed");
    }

    private static bool IsSupportedCharset(string charset)
        => charset.Equals("UTF-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("US-ASCII", StringComparison.OrdinalIgnoreCase)
            || charset.Equals("UTF8", StringComparison.OrdinalIgnoreCase);

    private static ImapSequenceSet ToSequenceSet(List<uint> sorted)
    {
        var ranges = new List<ImapSequenceRange>();
        for (int i = 0; i < sorted.Count; i++)
        {
            int j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1)
            {
                j++;
            }

            ranges.Add(new ImapSequenceRange(sorted[i], sorted[j]));
            i = j;
        }

        return new ImapSequenceSet(ranges);
    }

    /// <summary>Maps IMAP search keys onto the store's criteria; sequence numbers become UIDs here (the store speaks UIDs).</summary>
    private bool TryConvert(ImapSearchKey key, out SearchCriteria criteria, out bool usesModSeq)
    {
        usesModSeq = false;
        bool modSeq = false;
        bool ok = true;
        SearchCriteria Convert(ImapSearchKey k)
        {
            switch (k.Kind)
            {
                case ImapSearchKeyKind.And:
                    return new AndCriterion([.. k.Children!.Select(Convert)]);
                case ImapSearchKeyKind.Or:
                    return new OrCriterion(Convert(k.Children![0]), Convert(k.Children[1]));
                case ImapSearchKeyKind.Not:
                    return new NotCriterion(Convert(k.Children![0]));
                case ImapSearchKeyKind.All or ImapSearchKeyKind.SaveDateSupported:
                    return AllCriterion.Instance;
                case ImapSearchKeyKind.Recent:
                    // RFC 3501 §6.4.4: \Recent is this session's, so the session names the UIDs (none in IMAP4rev2).
                    return RecentCriterion();
                case ImapSearchKeyKind.New:
                    return new AndCriterion([RecentCriterion(), new FlagCriterion(MessageFlags.Seen, false)]);
                case ImapSearchKeyKind.Old:
                    return new NotCriterion(RecentCriterion());
                case ImapSearchKeyKind.Answered: return new FlagCriterion(MessageFlags.Answered, true);
                case ImapSearchKeyKind.Deleted: return new FlagCriterion(MessageFlags.Deleted, true);
                case ImapSearchKeyKind.Draft: return new FlagCriterion(MessageFlags.Draft, true);
                case ImapSearchKeyKind.Flagged: return new FlagCriterion(MessageFlags.Flagged, true);
                case ImapSearchKeyKind.Seen: return new FlagCriterion(MessageFlags.Seen, true);
                case ImapSearchKeyKind.Unanswered: return new FlagCriterion(MessageFlags.Answered, false);
                case ImapSearchKeyKind.Undeleted: return new FlagCriterion(MessageFlags.Deleted, false);
                case ImapSearchKeyKind.Undraft: return new FlagCriterion(MessageFlags.Draft, false);
                case ImapSearchKeyKind.Unflagged: return new FlagCriterion(MessageFlags.Flagged, false);
                case ImapSearchKeyKind.Unseen: return new FlagCriterion(MessageFlags.Seen, false);
                case ImapSearchKeyKind.Keyword: return new KeywordCriterion(k.Text!, true);
                case ImapSearchKeyKind.Unkeyword: return new KeywordCriterion(k.Text!, false);
                case ImapSearchKeyKind.Bcc: return new AddressCriterion("Bcc", k.Text!);
                case ImapSearchKeyKind.Cc: return new AddressCriterion("Cc", k.Text!);
                case ImapSearchKeyKind.From: return new AddressCriterion("From", k.Text!);
                case ImapSearchKeyKind.To: return new AddressCriterion("To", k.Text!);
                case ImapSearchKeyKind.Subject: return new HeaderCriterion("Subject", k.Text!);
                case ImapSearchKeyKind.Header: return new HeaderCriterion(k.HeaderField!, k.Text!);
                case ImapSearchKeyKind.Body: return new TextCriterion(TextScope.Body, k.Text!);
                case ImapSearchKeyKind.Text: return new TextCriterion(TextScope.Text, k.Text!);
                case ImapSearchKeyKind.Before: return new DateCriterion(SearchDateField.Internal, DateComparison.Before, k.Date!.Value);
                case ImapSearchKeyKind.On: return new DateCriterion(SearchDateField.Internal, DateComparison.On, k.Date!.Value);
                case ImapSearchKeyKind.Since: return new DateCriterion(SearchDateField.Internal, DateComparison.Since, k.Date!.Value);
                case ImapSearchKeyKind.SentBefore: return new DateCriterion(SearchDateField.Sent, DateComparison.Before, k.Date!.Value);
                case ImapSearchKeyKind.SentOn: return new DateCriterion(SearchDateField.Sent, DateComparison.On, k.Date!.Value);
                case ImapSearchKeyKind.SentSince: return new DateCriterion(SearchDateField.Sent, DateComparison.Since, k.Date!.Value);
                case ImapSearchKeyKind.SavedBefore: return new DateCriterion(SearchDateField.Saved, DateComparison.Before, k.Date!.Value);
                case ImapSearchKeyKind.SavedOn: return new DateCriterion(SearchDateField.Saved, DateComparison.On, k.Date!.Value);
                case ImapSearchKeyKind.SavedSince: return new DateCriterion(SearchDateField.Saved, DateComparison.Since, k.Date!.Value);
                case ImapSearchKeyKind.Larger: return new SizeCriterion(SizeComparison.Larger, (long)Math.Min(k.Number!.Value, long.MaxValue));
                case ImapSearchKeyKind.Smaller: return new SizeCriterion(SizeComparison.Smaller, (long)Math.Min(k.Number!.Value, long.MaxValue));
                case ImapSearchKeyKind.Older: return new AgeCriterion(AgeComparison.Older, (long)Math.Min(k.Number!.Value, long.MaxValue));
                case ImapSearchKeyKind.Younger: return new AgeCriterion(AgeComparison.Younger, (long)Math.Min(k.Number!.Value, long.MaxValue));
                case ImapSearchKeyKind.ModSeq:
                    // RFC 7162 §3.1.5: the stores keep one mod-sequence per message, not one per flag, so the entry
                    // name and type (k.Text, k.HeaderField) are ignored, as the RFC requires of such a server: every
                    // entry's mod-sequence is the message's. Matches are those at or above the value.
                    modSeq = true;
                    return new ModSeqCriterion(k.Number!.Value);
                case ImapSearchKeyKind.EmailId: return new ObjectIdCriterion(ObjectIdKind.EmailId, k.Text!);
                case ImapSearchKeyKind.ThreadId: return new ObjectIdCriterion(ObjectIdKind.ThreadId, k.Text!);
                case ImapSearchKeyKind.SequenceSet or ImapSearchKeyKind.Uid:
                    if (!TryResolve(k.Set!, k.Kind == ImapSearchKeyKind.Uid, out var uids, lenient: true))
                    {
                        ok = false;
                    }

                    return uids.IsEmpty ? new NotCriterion(AllCriterion.Instance) : new UidCriterion(uids);
                default:
                    ok = false;
                    return AllCriterion.Instance;
            }
        }

        criteria = Convert(key);
        usesModSeq = modSeq;
        return ok;
    }

    /// <summary>The messages recent in this session as a criterion; nothing when none is.</summary>
    private SearchCriteria RecentCriterion()
        => _selected is { Messages.Recent.Count: > 0 } selected
            ? new UidCriterion(UidSet.FromUids([.. selected.Messages.Recent.Order()]))
            : new NotCriterion(AllCriterion.Instance);
}
