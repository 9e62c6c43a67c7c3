using System.Globalization;
using System.Text;
using MailHost.Connections;
using MailHost.Filtering;
using MailHost.Protocols.Imap;

namespace MailHost.Imap.Handlers;

/// <summary>
/// COPY (RFC 9051 §6.4.7) and MOVE (RFC 6851), by sequence number or UID, with COPYUID (RFC 4315 §3). A copy into or
/// out of Junk is handed to the Junk training queue, which teaches the spam classifier later, never on this command's
/// time.
/// </summary>
internal sealed class ImapCopyHandler(ImapSessionState session, ImapReplies replies, ImapMailboxUpdates updates, JunkTrainingQueue? junkTraining)
{
    public Task CopyAsync(CopyCommand command) => CopyAsync(command.Tag, command.IsUid, command.Set, command.Mailbox, move: false);

    public Task MoveAsync(MoveCommand command) => CopyAsync(command.Tag, command.IsUid, command.Set, command.Mailbox, move: true);

    private async Task CopyAsync(string tag, bool isUid, ImapSequenceSet set, string mailbox, bool move)
    {
        var selected = session.Selected!;
        if (!selected.TryResolve(set, isUid, out var uids))
        {
            replies.WriteInvalidSet(tag);
            return;
        }

        if (replies.RefuseUndecodable(tag, mailbox))
        {
            return;
        }

        if (move && selected.ReadOnly)
        {
            session.Writer.WriteTagged(tag, ImapResponseStatus.No, "CANNOT", "The mailbox is read-only");
            return;
        }

        if (uids.IsEmpty)
        {
            // RFC 9051 §6.4.7: nothing to copy is not an error; the target must still exist.
            var status = await session.Account.CheckMailboxAsync(mailbox, session.Stopping).ConfigureAwait(false);
            if (status.Error is { } error)
            {
                replies.WriteStoreError(tag, error, tryCreate: true);
                return;
            }

            session.Writer.WriteTagged(tag, ImapResponseStatus.Ok, null, move ? "MOVE completed" : "COPY completed");
            return;
        }

        var started = MailHostMetrics.StoreOperationStarting();
        var result = move
            ? await selected.View.MoveAsync(uids, mailbox, session.Stopping).ConfigureAwait(false)
            : await selected.View.CopyAsync(uids, mailbox, session.Stopping).ConfigureAwait(false);
        MailHostMetrics.StoreOperationEnded(started, move ? "move" : "copy", selected.View);
        if (!result.IsSuccess)
        {
            replies.WriteStoreError(tag, result.Error, tryCreate: true);
            return;
        }

        var copied = result.Value;
        if (junkTraining is not null && session.Connection.Account is { } accountName)
        {
            junkTraining.Enqueue(accountName, selected.Name, mailbox, copied.DestinationUids);
        }

        var copyUid = copied.SourceUids.Count == 0
            ? null
            : "COPYUID " + copied.DestinationUidValidity.ToString(CultureInfo.InvariantCulture) + " "
                + SequenceSetText(copied.SourceUids) + " " + SequenceSetText(copied.DestinationUids);
        if (!move)
        {
            await updates.SendAsync(allowExpunge: true).ConfigureAwait(false);
            session.Writer.WriteTagged(tag, ImapResponseStatus.Ok, copyUid, "COPY completed");
            return;
        }

        // RFC 6851 §4.3: COPYUID goes in an untagged OK before the expunges.
        if (copyUid is not null)
        {
            session.Writer.WriteUntagged(ImapResponseStatus.Ok, copyUid, "Moved");
        }

        updates.AnnounceExpunged(copied.SourceUids);
        await updates.SendAsync(allowExpunge: true).ConfigureAwait(false);
        session.Writer.WriteTagged(tag, ImapResponseStatus.Ok, null, "MOVE completed");
    }

    /// <summary>An IMAP sequence set in the given order (RFC 4315 §3 pairs source and destination UIDs by position).</summary>
    private static string SequenceSetText(IReadOnlyList<uint> values)
    {
        var text = new StringBuilder();
        foreach (var range in ImapSearchResults.InOrder(values).Ranges)
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(range.Start.ToString(CultureInfo.InvariantCulture));
            if (range.End != range.Start)
            {
                text.Append(':').Append(range.End.ToString(CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }
}
