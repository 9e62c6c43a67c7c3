using MailHost.Connections;
using MailHost.Protocols.Imap;
using MailHost.Storage;

namespace MailHost.Imap.Handlers;

/// <summary>STORE and UID STORE (RFC 9051 §6.4.6), with UNCHANGEDSINCE and [MODIFIED] (RFC 7162 §3.1.3).</summary>
internal sealed class ImapStoreHandler(ImapSessionState session, ImapReplies replies, ImapMailboxUpdates updates)
{
    public async Task StoreAsync(StoreCommand command)
    {
        var selected = session.Selected!;
        if (!selected.TryResolve(command.Set, command.IsUid, out var uids))
        {
            replies.WriteInvalidSet(command.Tag);
            return;
        }

        var (flags, keywords, valid) = ImapFlags.Parse(command.Flags);
        if (!valid)
        {
            session.Writer.WriteTagged(command.Tag, ImapResponseStatus.Bad, "CLIENTBUG", "Invalid flag");
            return;
        }

        if (selected.ReadOnly)
        {
            session.Writer.WriteTagged(command.Tag, ImapResponseStatus.No, "CANNOT", "The mailbox is read-only");
            return;
        }

        if (command.UnchangedSince is not null)
        {
            // RFC 7162 §3.1: UNCHANGEDSINCE is a CONDSTORE-enabling modifier.
            session.EnableCondstore();
        }

        var operation = command.Mode switch
        {
            ImapStoreMode.Add => FlagOperation.Add,
            ImapStoreMode.Remove => FlagOperation.Remove,
            _ => FlagOperation.Replace,
        };
        StoreFlagsResult stored;
        if (uids.IsEmpty)
        {
            stored = new StoreFlagsResult([], [], selected.View.Snapshot.HighestModSeq);
        }
        else
        {
            var started = MailHostMetrics.StoreOperationStarting();
            var result = await selected.View.StoreFlagsAsync(uids, operation, flags, keywords, command.UnchangedSince, session.Stopping).ConfigureAwait(false);
            MailHostMetrics.StoreOperationEnded(started, "store", selected.View);
            if (!result.IsSuccess)
            {
                replies.WriteStoreError(command.Tag, result.Error);
                return;
            }

            stored = result.Value;
        }

        foreach (var state in stored.Messages)
        {
            // RFC 9051 §6.4.6: FETCH responses with the new flags unless .SILENT. RFC 7162 §3.1.3: with CONDSTORE a
            // .SILENT store still sends each changed message's new MODSEQ (required with UNCHANGEDSINCE, and the
            // only way the client's cache learns the mod-sequence otherwise); §3.2.4: with QRESYNC, UID as well.
            var report = !command.Silent || (session.Condstore && state.Changed);
            var seq = selected.Messages.SequenceOf(state.Uid);
            if (!report || seq == 0)
            {
                continue;
            }

            selected.Messages.Supersede(state.Uid);
            updates.WriteFlagsFetch(seq, state.Uid, state.Flags, state.Keywords, state.ModSeq, includeUid: command.IsUid || session.Qresync, includeFlags: !command.Silent);
            await session.Output.FlushIfFullAsync().ConfigureAwait(false);
        }

        await updates.SendAsync(ImapCommandTable.AllowsExpungeResponses(command)).ConfigureAwait(false);
        if (stored.Modified.Count > 0)
        {
            // RFC 7162 §3.1.3: [MODIFIED set] names the messages UNCHANGEDSINCE kept.
            var modified = command.IsUid
                ? stored.Modified
                : stored.Modified.Select(selected.Messages.SequenceOf).Where(s => s > 0).ToList();
            session.Writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, "MODIFIED " + UidSet.FromUids(modified), "Conditional STORE failed for some messages");
            return;
        }

        session.Writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "STORE completed");
    }
}
