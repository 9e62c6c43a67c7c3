using MailHost.Protocols.Imap;
using MailHost.Storage;

namespace MailHost.Imap;

/// <summary>What SEARCH and SORT report about their matches beyond the numbers: the sequence set and MODSEQ of ESEARCH.</summary>
internal static class ImapSearchResults
{
    /// <summary>
    /// A sequence set that keeps the given order: only ascending neighbours join into ranges. Sorted numbers give the
    /// shortest set (ESEARCH ALL, RFC 4731 §3.1); sort order is kept for ESORT (RFC 5267 §3.2) and COPYUID (RFC 4315 §3).
    /// </summary>
    public static ImapSequenceSet InOrder(IReadOnlyList<uint> numbers)
    {
        var ranges = new List<ImapSequenceRange>();
        for (var i = 0; i < numbers.Count; i++)
        {
            var j = i;
            while (j + 1 < numbers.Count && numbers[j + 1] == numbers[j] + 1)
            {
                j++;
            }

            ranges.Add(new ImapSequenceRange(numbers[i], numbers[j]));
            i = j;
        }

        return new ImapSequenceSet(ranges);
    }

    /// <summary>
    /// The MODSEQ a SEARCH or SORT result with the MODSEQ criterion reports, or null when nothing matched (then no
    /// MODSEQ is sent: RFC 7162 §3.1.5). <paramref name="uids"/> are the matches in result order. RFC 4731 §3.2: when
    /// only MIN and/or MAX are returned, it is the highest mod-sequence of the message(s) they name; otherwise the
    /// highest of every message found, not of the mailbox.
    /// </summary>
    public static async Task<ulong?> ModSeqAsync(ImapSelectedMailbox selected, List<uint> uids, ImapSearchReturnOptions returns, CancellationToken cancellationToken)
    {
        if (uids.Count == 0)
        {
            return null;
        }

        IEnumerable<uint> counted = uids;
        const ImapSearchReturnOptions Whole = ImapSearchReturnOptions.All | ImapSearchReturnOptions.Count;
        const ImapSearchReturnOptions Ends = ImapSearchReturnOptions.Min | ImapSearchReturnOptions.Max;
        if ((returns & Whole) == 0 && (returns & Ends) != 0)
        {
            counted = [(returns & ImapSearchReturnOptions.Min) != 0 ? uids[0] : uids[^1], (returns & ImapSearchReturnOptions.Max) != 0 ? uids[^1] : uids[0]];
        }

        ulong highest = 0;
        await foreach (var message in selected.View.FetchAsync(UidSet.FromUids(counted), FetchOptions.Default, cancellationToken).ConfigureAwait(false))
        {
            highest = Math.Max(highest, message.ModSeq);
        }

        return highest == 0 ? null : highest;
    }
}
