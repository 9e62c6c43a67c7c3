using MailHost.Protocols.Imap;

namespace MailHost.Imap.Handlers;

/// <summary>QUOTA (RFC 9208): GETQUOTA, GETQUOTAROOT and SETQUOTA, with one quota root, <c>""</c>, for the whole account.</summary>
internal sealed class ImapQuotaHandler(ImapSessionState session, ImapReplies replies)
{
    public Task GetQuotaAsync(GetQuotaCommand command) => GetQuotaAsync(command.Tag, command.Root, null);

    public Task GetQuotaRootAsync(GetQuotaRootCommand command) => GetQuotaAsync(command.Tag, null, command.Mailbox);

    public Task SetQuotaAsync(SetQuotaCommand command)
    {
        // RFC 9208 §4.1.3: limits are the administrator's; a user may not change them.
        session.Writer.WriteTagged(command.Tag, ImapResponseStatus.No, "NOPERM", "Quota limits are set by the administrator");
        return Task.CompletedTask;
    }

    private async Task GetQuotaAsync(string tag, string? root, string? mailbox)
    {
        var writer = session.Writer;
        if (session.Quota is not { } quota)
        {
            writer.WriteTagged(tag, ImapResponseStatus.No, "CANNOT", "Quota is not supported");
            return;
        }

        var usage = await quota.GetQuotaAsync(session.Stopping).ConfigureAwait(false);

        // RFC 9208 §4.3.2: one quota root, "", for the whole account, when it has any limit at all.
        var limited = usage.StorageLimit is not null || usage.MessageLimit is not null;
        if (mailbox is not null)
        {
            if (replies.RefuseUndecodable(tag, mailbox))
            {
                return;
            }

            var status = await session.Account.GetStatusAsync(mailbox, session.Stopping).ConfigureAwait(false);
            if (!status.IsSuccess)
            {
                replies.WriteStoreError(tag, status.Error);
                return;
            }

            writer.WriteRaw("* QUOTAROOT "u8);
            writer.WriteMailbox(status.Value.Name);
            writer.WriteRaw(limited ? " \"\"\r\n"u8 : "\r\n"u8);
        }
        else if (root!.Length != 0 || !limited)
        {
            writer.WriteTagged(tag, ImapResponseStatus.No, "NONEXISTENT", "No such quota root");
            return;
        }

        if (!limited)
        {
            writer.WriteTagged(tag, ImapResponseStatus.Ok, null, "GETQUOTAROOT completed");
            return;
        }

        // RFC 9208 §5.1: STORAGE in units of 1024 octets; resources without a limit are left out.
        writer.WriteRaw("* QUOTA \"\" ("u8);
        var first = true;
        if (usage.StorageLimit is { } storageLimit)
        {
            writer.WriteRaw("STORAGE "u8);
            writer.WriteNumber((ulong)((usage.StorageUsed + 1023) / 1024));
            writer.WriteSpace();
            writer.WriteNumber((ulong)(storageLimit / 1024));
            first = false;
        }

        if (usage.MessageLimit is { } messageLimit)
        {
            writer.WriteRaw(first ? "MESSAGE "u8 : " MESSAGE "u8);
            writer.WriteNumber((ulong)usage.MessagesUsed);
            writer.WriteSpace();
            writer.WriteNumber((ulong)messageLimit);
        }

        writer.WriteRaw(")\r\n"u8);
        writer.WriteTagged(tag, ImapResponseStatus.Ok, null, mailbox is null ? "GETQUOTA completed" : "GETQUOTAROOT completed");
    }
}
