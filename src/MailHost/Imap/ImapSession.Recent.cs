using MailHost.Storage;

namespace MailHost.Imap;

/// <summary>
/// What a session must tell its client about the selected mailbox beyond the changes themselves: <c>\Recent</c> for
/// IMAP4rev1 sessions (RFC 3501 §2.3.2, §7.3.2) and new keywords announced in FLAGS before any FETCH shows them
/// (RFC 3501 §7.2.6, RFC 9051 §7.3.5).
/// </summary>
internal sealed partial class ImapSession
{
    /// <summary>
    /// Takes \Recent for the messages of the view's snapshot that no session claimed yet. An IMAP4rev2 session never
    /// sees \Recent (RFC 9051 removed it), so it claims nothing and leaves the messages recent for rev1 clients.
    /// </summary>
    private async Task ClaimRecentAsync(ImapSelectedMailbox selected)
    {
        if (_rev2)
        {
            return;
        }

        var claimed = await selected.View.ClaimRecentAsync(_stopping).ConfigureAwait(false);
        if (claimed.IsSuccess)
        {
            selected.Messages.AddRecent(claimed.Value);
        }
    }

    /// <summary>RFC 3501 §7.3.2: <c>* n RECENT</c>, sent with every EXISTS in an IMAP4rev1 session.</summary>
    private void WriteRecentCount(ImapSelectedMailbox selected)
    {
        if (!_rev2)
        {
            _writer.WriteNumbered((uint)selected.Messages.Recent.Count, "RECENT"u8);
        }
    }

    /// <summary>
    /// Sends FLAGS and PERMANENTFLAGS again when <paramref name="keywords"/> holds one the client was not told of, so
    /// a FETCH never shows a keyword before the mailbox's FLAGS list names it (RFC 9051 §7.3.5). The store defines a
    /// keyword the moment a STORE, APPEND, COPY or MOVE first uses it; this closes the gap until the next poll brings
    /// the mailbox's own list.
    /// </summary>
    private void AnnounceKeywords(IReadOnlyList<string> keywords)
    {
        var selected = _selected;
        if (selected is null || keywords.Count == 0 || !selected.HasUnannounced(keywords))
        {
            return;
        }

        var all = new List<string>(selected.Keywords);
        foreach (var keyword in keywords)
        {
            if (!all.Contains(keyword, StringComparer.OrdinalIgnoreCase))
            {
                all.Add(keyword);
            }
        }

        WriteFlagsResponses(selected, all, selected.View.Snapshot.CanCreateKeywords);
    }
}
