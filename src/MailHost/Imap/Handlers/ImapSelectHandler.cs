using System.Globalization;
using System.Text;
using MailHost.Connections;
using MailHost.Protocols.Imap;
using MailHost.Storage;

namespace MailHost.Imap.Handlers;

/// <summary>SELECT and EXAMINE (RFC 9051 §6.3.2, §6.3.3), with CONDSTORE and QRESYNC (RFC 7162 §3.1.8, §3.2.5).</summary>
internal sealed class ImapSelectHandler(ImapSessionState session, ImapReplies replies, ImapMailboxUpdates updates)
{
    public Task SelectAsync(SelectCommand command) => SelectAsync(command.Tag, command.Mailbox, examine: false, command.Condstore, command.Qresync);

    public Task ExamineAsync(ExamineCommand command) => SelectAsync(command.Tag, command.Mailbox, examine: true, command.Condstore, command.Qresync);

    private async Task SelectAsync(string tag, string mailbox, bool examine, bool condstore, ImapQresyncParameters? qresync)
    {
        var writer = session.Writer;
        if (qresync is not null && !session.Qresync)
        {
            // RFC 7162 §3.2.5: QRESYNC parameters need ENABLE QRESYNC first.
            writer.WriteTagged(tag, ImapResponseStatus.Bad, "CLIENTBUG", "QRESYNC is not enabled");
            return;
        }

        if (session.Selected is not null)
        {
            await session.CloseMailboxAsync().ConfigureAwait(false);

            // RFC 9051 §6.3.2, RFC 7162 §3.2.11: the old mailbox is closed before the new one is reported.
            writer.WriteUntagged(ImapResponseStatus.Ok, "CLOSED", "Previous mailbox closed");
        }

        if (replies.RefuseUndecodable(tag, mailbox))
        {
            return;
        }

        var started = MailHostMetrics.StoreOperationStarting();
        var opened = await session.Account.OpenMailboxAsync(mailbox, examine, session.Stopping).ConfigureAwait(false);
        MailHostMetrics.StoreOperationEnded(started, "select", session.Account);
        if (!opened.IsSuccess)
        {
            replies.WriteStoreError(tag, opened.Error);
            return;
        }

        if (condstore)
        {
            // RFC 7162 §3.1.8: SELECT (CONDSTORE) is a CONDSTORE-enabling command; no mailbox is selected now, and
            // this SELECT reports HIGHESTMODSEQ anyway.
            session.EnableCondstore();
        }

        var selected = new ImapSelectedMailbox(opened.Value, examine);
        var snapshot = selected.View.Snapshot;
        session.Select(selected);
        await updates.ClaimRecentAsync(selected).ConfigureAwait(false);
        updates.WriteFlags(selected, snapshot.Keywords, snapshot.CanCreateKeywords);
        writer.WriteNumbered((uint)selected.Messages.Count, "EXISTS"u8);
        if (!session.Rev2)
        {
            // RFC 3501 §6.3.1: RECENT is required in IMAP4rev1 (RFC 9051 dropped it with \Recent).
            updates.WriteRecentCount(selected);
            if (snapshot.FirstUnseenUid != 0 && selected.Messages.SequenceOf(snapshot.FirstUnseenUid) is var unseen and > 0)
            {
                writer.WriteUntagged(ImapResponseStatus.Ok, "UNSEEN " + unseen.ToString(CultureInfo.InvariantCulture), "First unseen");
            }
        }

        writer.WriteUntagged(ImapResponseStatus.Ok, "UIDVALIDITY " + snapshot.UidValidity.ToString(CultureInfo.InvariantCulture), "UIDs valid");
        writer.WriteUntagged(ImapResponseStatus.Ok, "UIDNEXT " + snapshot.UidNext.ToString(CultureInfo.InvariantCulture), "Predicted next UID");
        writer.WriteUntagged(ImapResponseStatus.Ok, "MAILBOXID (" + ImapMailboxId.From(snapshot.UidValidity) + ")", "Mailbox id");

        // RFC 7162 §3.1.2.1: a server with persistent mod-sequences reports HIGHESTMODSEQ on every SELECT.
        writer.WriteUntagged(ImapResponseStatus.Ok, "HIGHESTMODSEQ " + snapshot.HighestModSeq.ToString(CultureInfo.InvariantCulture), "Highest");
        if (session.Rev2)
        {
            // RFC 9051 §6.3.2: a LIST response with the mailbox name.
            writer.WriteList("LIST"u8, [], MailboxName.Delimiter, snapshot.Name);
        }

        if (qresync is not null && qresync.UidValidity == snapshot.UidValidity)
        {
            await QresyncAsync(selected, qresync).ConfigureAwait(false);
        }

        writer.WriteTagged(tag, ImapResponseStatus.Ok, examine ? "READ-ONLY" : "READ-WRITE", examine ? "EXAMINE completed" : "SELECT completed");
    }

    /// <summary>RFC 7162 §3.2.5: what changed since the client's last known MODSEQ, on SELECT (QRESYNC ...).</summary>
    private async Task QresyncAsync(ImapSelectedMailbox selected, ImapQresyncParameters qresync)
    {
        var vanished = await selected.View.GetVanishedAsync(qresync.ModSeq, session.Stopping).ConfigureAwait(false);
        if (vanished.IsSuccess)
        {
            var known = qresync.KnownUids;
            var gone = vanished.Value.Where(u => known is null || known.Contains(u, uint.MaxValue)).ToList();
            if (gone.Count > 0)
            {
                session.Writer.WriteRaw("* VANISHED (EARLIER) "u8);
                session.Writer.WriteRaw(Encoding.ASCII.GetBytes(UidSet.FromUids(gone).ToString()));
                session.Writer.WriteCrlf();
            }
        }

        if (selected.Messages.Count == 0)
        {
            return;
        }

        await foreach (var message in selected.View.FetchAsync(UidSet.FromUids(selected.Messages.Uids), new FetchOptions(ChangedSince: qresync.ModSeq), session.Stopping).ConfigureAwait(false))
        {
            var seq = selected.Messages.SequenceOf(message.Uid);
            if (seq > 0)
            {
                updates.WriteFlagsFetch(seq, message.Uid, message.Flags, message.Keywords, message.ModSeq, includeUid: true);
            }
        }
    }
}
