using System.Globalization;
using MailHost.Protocols.Imap;
using MailHost.Storage;

namespace MailHost.Imap;

/// <summary>
/// CONDSTORE awareness (RFC 7162 §3.1): what turns it on for the session, and the MODSEQ a search result reports.
/// </summary>
internal sealed partial class ImapSession
{
    /// <summary>
    /// Makes the session CONDSTORE-aware for good, as the first CONDSTORE-enabling command does (RFC 7162 §3.1:
    /// ENABLE CONDSTORE or QRESYNC, SELECT/EXAMINE (CONDSTORE), STATUS (HIGHESTMODSEQ), FETCH or SEARCH with MODSEQ,
    /// FETCH (CHANGEDSINCE), STORE (UNCHANGEDSINCE)). From then on every FETCH response caused by a flag change carries
    /// MODSEQ. Issued with a mailbox selected, the first one is answered with that mailbox's HIGHESTMODSEQ before
    /// anything else (§3.1.2.1), so the client has a starting point for the mod-sequences it is about to see.
    /// </summary>
    private void EnableCondstore()
    {
        if (_condstore)
        {
            return;
        }

        _condstore = true;
        if (_selected is { } selected)
        {
            // The value as of the changes this session has reported; anything later still reaches the client.
            var highest = selected.View.Snapshot.HighestModSeq.ToString(CultureInfo.InvariantCulture);
            _writer.WriteUntagged(ImapResponseStatus.Ok, "HIGHESTMODSEQ " + highest, "Highest");
        }
    }

    /// <summary>Whether a search program uses the MODSEQ criterion anywhere (RFC 7162 §3.1.5).</summary>
    private static bool UsesModSeq(ImapSearchKey key)
        => key.Kind == ImapSearchKeyKind.ModSeq || (key.Children?.Any(UsesModSeq) ?? false);

    /// <summary>
    /// The MODSEQ a SEARCH or SORT result with the MODSEQ criterion reports, or null when nothing matched (then no
    /// MODSEQ is sent: RFC 7162 §3.1.5). <paramref name="uids"/> are the matches in result order. RFC 4731 §3.2: when
    /// only MIN and/or MAX are returned, it is the highest mod-sequence of the message(s) they name; otherwise the
    /// highest of every message found, not of the mailbox.
    /// </summary>
    private async Task<ulong?> ResultModSeqAsync(List<uint> uids, ImapSearchReturnOptions returns)
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
        await foreach (var message in _selected!.View.FetchAsync(UidSet.FromUids(counted), FetchOptions.Default, _stopping).ConfigureAwait(false))
        {
            highest = Math.Max(highest, message.ModSeq);
        }

        return highest == 0 ? null : highest;
    }
}
