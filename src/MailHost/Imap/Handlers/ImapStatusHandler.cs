using MailHost.Connections;
using MailHost.Protocols.Imap;

namespace MailHost.Imap.Handlers;

/// <summary>STATUS (RFC 9051 §6.3.11, STATUS=SIZE RFC 8438, CONDSTORE RFC 7162, APPENDLIMIT RFC 7889, OBJECTID RFC 8474).</summary>
internal sealed class ImapStatusHandler(ImapSessionState session, ImapOptions options, ImapReplies replies)
{
    public async Task StatusAsync(StatusCommand command)
    {
        if (replies.RefuseUndecodable(command.Tag, command.Mailbox))
        {
            return;
        }

        var started = MailHostMetrics.StoreOperationStarting();
        var status = await session.Account.GetStatusAsync(command.Mailbox, session.Stopping).ConfigureAwait(false);
        MailHostMetrics.StoreOperationEnded(started, "status", session.Account);
        if (!status.IsSuccess)
        {
            replies.WriteStoreError(command.Tag, status.Error);
            return;
        }

        if ((command.Items & ImapStatusItems.HighestModSeq) != 0)
        {
            // RFC 7162 §3.1: STATUS (HIGHESTMODSEQ) is CONDSTORE-enabling.
            session.EnableCondstore();
        }

        var value = status.Value;
        if (session.Selected is { } selected && string.Equals(selected.Name, value.Name, StringComparison.Ordinal))
        {
            // The store counts messages no session claimed; those this session claimed are recent here too.
            value = value with { Recent = value.Recent + selected.Messages.Recent.Count };
        }

        ImapStatusResponse.Write(session.Writer, value, command.Items, options.MaxAppendSize);
        session.Writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "STATUS completed");
    }
}
