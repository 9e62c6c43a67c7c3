using System.Globalization;
using MailHost.Connections;
using MailHost.Protocols.Imap;
using MailHost.Storage;

namespace MailHost.Imap.Handlers;

/// <summary>
/// The selected state's housekeeping (RFC 9051 §6.4.1-§6.4.3): CHECK (RFC 3501 §6.4.1), CLOSE, UNSELECT (RFC 3691),
/// and EXPUNGE and UID EXPUNGE (RFC 4315 §2.1), VANISHED with QRESYNC (RFC 7162 §3.2.10).
/// </summary>
internal sealed class ImapExpungeHandler(ImapSessionState session, ImapReplies replies, ImapMailboxUpdates updates)
{
    public async Task CheckAsync(CheckCommand command)
    {
        // RFC 3501 §6.4.1: every change is durable already; CHECK is a NOOP here.
        await updates.SendAsync(allowExpunge: true).ConfigureAwait(false);
        session.Writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "CHECK completed");
    }

    public async Task CloseAsync(CloseCommand command)
    {
        var selected = session.Selected!;
        if (!selected.ReadOnly)
        {
            // RFC 9051 §6.4.1: CLOSE expunges silently; no EXPUNGE responses.
            var started = MailHostMetrics.StoreOperationStarting();
            var result = await selected.View.ExpungeAsync(null, session.Stopping).ConfigureAwait(false);
            MailHostMetrics.StoreOperationEnded(started, "expunge", selected.View);
            if (!result.IsSuccess && result.Error.Code != StoreErrorCode.NotFound)
            {
                replies.WriteStoreError(command.Tag, result.Error);
                return;
            }
        }

        await session.CloseMailboxAsync().ConfigureAwait(false);
        session.Writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "CLOSE completed");
    }

    public async Task UnselectAsync(UnselectCommand command)
    {
        await session.CloseMailboxAsync().ConfigureAwait(false);
        session.Writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "UNSELECT completed");
    }

    public async Task ExpungeAsync(ExpungeCommand command)
    {
        var selected = session.Selected!;
        UidSet? uids = null;
        if (command.IsUid)
        {
            if (!selected.TryResolve(command.Uids!, isUid: true, out var resolved))
            {
                replies.WriteInvalidSet(command.Tag);
                return;
            }

            uids = resolved;
        }

        if (selected.ReadOnly)
        {
            session.Writer.WriteTagged(command.Tag, ImapResponseStatus.No, "CANNOT", "The mailbox is read-only");
            return;
        }

        ExpungeResult expunged;
        if (uids is { IsEmpty: true })
        {
            expunged = new ExpungeResult([], selected.View.Snapshot.HighestModSeq);
        }
        else
        {
            var started = MailHostMetrics.StoreOperationStarting();
            var result = await selected.View.ExpungeAsync(uids, session.Stopping).ConfigureAwait(false);
            MailHostMetrics.StoreOperationEnded(started, "expunge", selected.View);
            if (!result.IsSuccess)
            {
                replies.WriteStoreError(command.Tag, result.Error);
                return;
            }

            expunged = result.Value;
        }

        updates.AnnounceExpunged(expunged.Expunged);
        await updates.SendAsync(allowExpunge: true).ConfigureAwait(false);

        // RFC 7162 §3.2.10: with QRESYNC the tagged OK carries the new HIGHESTMODSEQ.
        session.Writer.WriteTagged(
            command.Tag,
            ImapResponseStatus.Ok,
            session.Qresync ? "HIGHESTMODSEQ " + expunged.HighestModSeq.ToString(CultureInfo.InvariantCulture) : null,
            "EXPUNGE completed");
    }
}
