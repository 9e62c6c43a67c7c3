using System.Text;
using MailHost.Protocols.Imap;
using MailHost.Storage;
using Microsoft.Extensions.Logging;

namespace MailHost.Imap;

/// <summary>
/// Tells the client what changed in the selected mailbox (RFC 9051 §7.5.1): EXISTS for arrivals, EXPUNGE (or
/// VANISHED) where it may be sent, FETCH for flag changes, FLAGS for new keywords, and \Recent for IMAP4rev1 sessions
/// (RFC 3501 §2.3.2, §7.3.2). The <see cref="ImapSequenceTracker"/> folds the changes; this writes what it hands back.
/// </summary>
internal sealed class ImapMailboxUpdates(ImapSessionState session, ILogger logger)
{
    private static readonly string[] SystemFlagNames = ["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"];

    /// <summary>
    /// Takes the changes other sessions made and reports them (RFC 9051 §7.5.1): EXISTS and flag changes at once,
    /// EXPUNGE (or VANISHED) only when <paramref name="allowExpunge"/>; until then expunged messages keep their numbers.
    /// </summary>
    public async Task SendAsync(bool allowExpunge)
    {
        var selected = session.Selected;
        if (selected is null)
        {
            return;
        }

        // RFC 9051 §7.5.1: expunges are taken only when they can be announced; until then the view keeps the
        // messages readable (RFC 2180 §4.1.1).
        var polled = await selected.View.PollChangesAsync(takeExpunges: allowExpunge, session.Stopping).ConfigureAwait(false);
        if (!polled.IsSuccess)
        {
            if (polled.Error.Code == StoreErrorCode.NotFound)
            {
                // The selected mailbox was deleted by another session: nothing sensible remains to report.
                session.Writer.WriteUntagged(ImapResponseStatus.Bye, "NONEXISTENT", "The selected mailbox was deleted");
                ImapLog.Closing(logger, "selected mailbox deleted");
                session.LogOut();
            }

            return;
        }

        var changes = polled.Value;
        var messages = selected.Messages;
        messages.Fold(changes.Changes);
        if (changes.KeywordsChanged && !FlagSetEqual(selected.Keywords, changes.Snapshot.Keywords))
        {
            WriteFlags(selected, changes.Snapshot.Keywords, changes.Snapshot.CanCreateKeywords);
        }

        if (allowExpunge && messages.HasPendingExpunges)
        {
            AnnounceExpunged(messages.TakePendingExpunges());
        }

        if (messages.TakeArrivals().Count > 0)
        {
            await ClaimRecentAsync(selected).ConfigureAwait(false);
            session.Writer.WriteNumbered((uint)messages.Count, "EXISTS"u8);
            WriteRecentCount(selected);
        }

        foreach (var (seq, change) in messages.TakeFlagChanges())
        {
            WriteFlagsFetch(seq, change.Uid, change.Flags, change.Keywords, change.ModSeq, includeUid: true);
            await session.Output.FlushIfFullAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Tells the client that <paramref name="uids"/> are gone: EXPUNGE responses, or VANISHED once QRESYNC is on (RFC 7162 §3.2.10).</summary>
    public void AnnounceExpunged(IEnumerable<uint> uids) => AnnounceExpunged(session.Selected!.Messages.Expunge(uids));

    /// <summary>
    /// A FETCH response for a flag change: <c>* n FETCH ([UID u] [FLAGS (...)] [MODSEQ (m)])</c>, MODSEQ whenever
    /// the session is CONDSTORE-aware (RFC 7162 §3.1: in every later untagged FETCH, whoever changed the flags).
    /// </summary>
    public void WriteFlagsFetch(uint seq, uint uid, MessageFlags flags, IReadOnlyList<string> keywords, ulong modSeq, bool includeUid, bool includeFlags = true)
    {
        if (includeFlags)
        {
            AnnounceKeywords(keywords);
        }

        var fetch = new ImapFetchResponse(session.Writer, seq);
        if (includeUid)
        {
            fetch.Uid(uid);
        }

        if (includeFlags)
        {
            fetch.Flags(SystemFlags(uid, flags), keywords);
        }

        if (session.Condstore)
        {
            fetch.ModSeq(modSeq);
        }

        fetch.End();
    }

    /// <summary>The system flags of a message as FLAGS spells them, with \Recent when this session holds it.</summary>
    public byte[] SystemFlags(uint uid, MessageFlags flags)
        => ImapFlags.SystemFlags(flags, recent: session.Selected is { } selected && selected.Messages.IsRecent(uid));

    /// <summary>
    /// Sends FLAGS and PERMANENTFLAGS again when <paramref name="keywords"/> holds one the client was not told of, so
    /// a FETCH never shows a keyword before the mailbox's FLAGS list names it (RFC 9051 §7.3.5). The store defines a
    /// keyword the moment a STORE, APPEND, COPY or MOVE first uses it; this closes the gap until the next poll brings
    /// the mailbox's own list.
    /// </summary>
    public void AnnounceKeywords(IReadOnlyList<string> keywords)
    {
        var selected = session.Selected;
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

        WriteFlags(selected, all, selected.View.Snapshot.CanCreateKeywords);
    }

    /// <summary>FLAGS and PERMANENTFLAGS (RFC 9051 §7.3.5, §7.1): the system flags and <paramref name="keywords"/>, which the client now knows.</summary>
    public void WriteFlags(ImapSelectedMailbox selected, IReadOnlyList<string> keywords, bool canCreate)
    {
        var writer = session.Writer;
        writer.WriteFlags([.. SystemFlagNames, .. keywords]);
        List<string> permanent = selected.ReadOnly ? [] : [.. SystemFlagNames, .. keywords, .. (canCreate ? new[] { "\\*" } : [])];
        writer.WriteRaw("* OK [PERMANENTFLAGS "u8);
        writer.WriteFlagList(permanent);
        writer.WriteRaw("] Flags permitted\r\n"u8);
        selected.Keywords = keywords;
    }

    /// <summary>
    /// Takes \Recent for the messages of the view's snapshot that no session claimed yet. An IMAP4rev2 session never
    /// sees \Recent (RFC 9051 removed it), so it claims nothing and leaves the messages recent for rev1 clients.
    /// </summary>
    public async Task ClaimRecentAsync(ImapSelectedMailbox selected)
    {
        if (session.Rev2)
        {
            return;
        }

        var claimed = await selected.View.ClaimRecentAsync(session.Stopping).ConfigureAwait(false);
        if (claimed.IsSuccess)
        {
            selected.Messages.AddRecent(claimed.Value);
        }
    }

    /// <summary>RFC 3501 §7.3.2: <c>* n RECENT</c>, sent with every EXISTS in an IMAP4rev1 session.</summary>
    public void WriteRecentCount(ImapSelectedMailbox selected)
    {
        if (!session.Rev2)
        {
            session.Writer.WriteNumbered((uint)selected.Messages.Recent.Count, "RECENT"u8);
        }
    }

    private static bool FlagSetEqual(IReadOnlyList<string> a, IReadOnlyList<string> b)
        => a.Count == b.Count && a.All(k => b.Contains(k, StringComparer.OrdinalIgnoreCase));

    private void AnnounceExpunged(ImapExpungeAnnouncement gone)
    {
        if (gone.Uids.Count == 0)
        {
            return;
        }

        var writer = session.Writer;
        if (session.Qresync)
        {
            writer.WriteRaw("* VANISHED "u8);
            writer.WriteRaw(Encoding.ASCII.GetBytes(UidSet.FromUids(gone.Uids).ToString()));
            writer.WriteCrlf();
            return;
        }

        foreach (var seq in gone.SequenceNumbers)
        {
            writer.WriteNumbered(seq, "EXPUNGE"u8);
        }
    }
}
