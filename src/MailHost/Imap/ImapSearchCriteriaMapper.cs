using MailHost.Protocols.Imap;
using MailHost.Storage;
using MailHost.Storage.Search;

namespace MailHost.Imap;

/// <summary>
/// Maps an IMAP search program (RFC 9051 §6.4.4) onto the store's <see cref="SearchCriteria"/>, for SEARCH, SORT and
/// THREAD. Sequence numbers become UIDs here: the store speaks UIDs.
/// </summary>
internal static class ImapSearchCriteriaMapper
{
    /// <summary>The charsets a search accepts; any other gets <c>[BADCHARSET (UTF-8 US-ASCII)]</c> (RFC 9051 §6.4.4).</summary>
    public static bool IsSupportedCharset(string charset)
        => charset.Equals("UTF-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("US-ASCII", StringComparison.OrdinalIgnoreCase)
            || charset.Equals("UTF8", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether a search program uses the MODSEQ criterion anywhere (RFC 7162 §3.1.5).</summary>
    public static bool UsesModSeq(ImapSearchKey key)
        => key.Kind == ImapSearchKeyKind.ModSeq || (key.Children?.Any(UsesModSeq) ?? false);

    /// <summary>
    /// Maps <paramref name="key"/> against <paramref name="selected"/>; false when a sequence set in it is invalid.
    /// <paramref name="usesModSeq"/>: the program has the MODSEQ criterion.
    /// </summary>
    public static bool TryConvert(ImapSearchKey key, ImapSelectedMailbox selected, out SearchCriteria criteria, out bool usesModSeq)
    {
        usesModSeq = false;
        var modSeq = false;
        var ok = true;
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
                    return RecentCriterion(selected);
                case ImapSearchKeyKind.New:
                    return new AndCriterion([RecentCriterion(selected), new FlagCriterion(MessageFlags.Seen, false)]);
                case ImapSearchKeyKind.Old:
                    return new NotCriterion(RecentCriterion(selected));
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
                    if (!selected.TryResolve(k.Set!, k.Kind == ImapSearchKeyKind.Uid, out var uids, lenient: true))
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
    private static SearchCriteria RecentCriterion(ImapSelectedMailbox selected)
        => selected.Messages.Recent.Count > 0
            ? new UidCriterion(UidSet.FromUids([.. selected.Messages.Recent.Order()]))
            : new NotCriterion(AllCriterion.Instance);
}
