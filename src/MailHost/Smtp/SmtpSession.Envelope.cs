using MailHost.Delivery;
using MailHost.Protocols.Smtp;
using MailHost.Storage;

namespace MailHost.Smtp;

/// <summary>MAIL and RCPT (RFC 5321 §4.1.1.2, §4.1.1.3) with the relay, submission and quota policy.</summary>
internal sealed partial class SmtpSession
{
    private static readonly SmtpReply RelayDenied = new(554, "5.7.1", "Relay access denied");
    private static readonly SmtpReply RelayUnavailable = new(550, "5.7.1", "Relaying is not available on this server");
    private static readonly SmtpReply UnknownRecipient = new(550, "5.1.1", "Mailbox unavailable");

    private async ValueTask<bool> MailAsync(MailCommand mail)
    {
        if (_isSubmission && _account is null)
        {
            // RFC 6409 §4.3 / RFC 4954 §6: submission needs authentication.
            return await ErrorAsync(CredentialsAllowed
                ? new SmtpReply(530, "5.7.0", "Authentication required")
                : StartTlsFirst).ConfigureAwait(false);
        }

        if (_isSubmission && _services.Options.RequireOwnAddressInMailFrom && mail.ReversePath.Mailbox is { } sender)
        {
            var owner = await _services.Addresses.FindOwnerAsync(sender, CancellationToken.None).ConfigureAwait(false);
            if (owner is null || owner.Name != _account)
            {
                return await ErrorAsync(new SmtpReply(553, "5.7.1", "Sender address is not owned by the authenticated user")).ConfigureAwait(false);
            }
        }

        var transaction = new SmtpTransaction(mail, NewTransactionId());
        if (await FilterMailAsync(transaction).ConfigureAwait(false) is { } refused)
        {
            return await ErrorAsync(refused).ConfigureAwait(false);
        }

        _transaction = transaction;

        // RFC 6531 §3.6: UTF-8 recipients are allowed in this transaction only.
        _parser.IsUtf8Transaction = mail.SmtpUtf8;
        await ReplyAsync(new SmtpReply(250, "2.1.0", "Sender OK")).ConfigureAwait(false);
        return false;
    }

    private async ValueTask<bool> RcptAsync(RcptCommand rcpt)
    {
        var transaction = _transaction!;
        if (transaction.RecipientCount >= _services.Options.MaxRecipients)
        {
            // RFC 5321 §4.5.3.1.10: the client sends the rest in another transaction.
            await ReplyAsync(new SmtpReply(452, "4.5.3", "Too many recipients")).ConfigureAwait(false);
            return false;
        }

        var client = Info.RemoteEndPoint?.Address;
        if (_services.UnknownRecipients.IsBlocked(client))
        {
            SmtpLog.RecipientRefused(_logger, "too many unknown recipients from this client");
            return await ErrorAsync(new SmtpReply(450, "4.7.1", "Too many unknown recipients, try again later")).ConfigureAwait(false);
        }

        var mailbox = rcpt.ForwardPath.Mailbox!;
        var (kind, account) = await _services.Addresses.ClassifyRecipientAsync(mailbox, CancellationToken.None).ConfigureAwait(false);
        switch (kind)
        {
            case SmtpRecipientKind.Local:
                if (await CheckQuotaAsync(account!.Name, transaction.Mail.Size).ConfigureAwait(false) is { } quotaReply)
                {
                    await ReplyAsync(quotaReply).ConfigureAwait(false);
                    return false;
                }

                if (await FilterRecipientAsync(mailbox.ToString()).ConfigureAwait(false) is { } refusedLocal)
                {
                    return await ErrorAsync(refusedLocal).ConfigureAwait(false);
                }

                // One stored copy per account, however many of its addresses were named.
                if (!transaction.LocalTargets.Exists(t => t.AccountName == account.Name))
                {
                    transaction.LocalTargets.Add(new DeliveryTarget(account.Name));
                }

                break;

            case SmtpRecipientKind.Unknown:
                _services.UnknownRecipients.Record(client);
                SmtpLog.RecipientRefused(_logger, "unknown local recipient");
                return await ErrorAsync(UnknownRecipient).ConfigureAwait(false);

            case SmtpRecipientKind.External when _isSubmission && _account is not null:
                if (_services.Outbound is null)
                {
                    SmtpLog.RecipientRefused(_logger, "external recipient and no outbound delivery");
                    return await ErrorAsync(RelayUnavailable).ConfigureAwait(false);
                }

                if (await FilterRecipientAsync(mailbox.ToString()).ConfigureAwait(false) is { } refusedExternal)
                {
                    return await ErrorAsync(refusedExternal).ConfigureAwait(false);
                }

                transaction.ExternalRecipients.Add(new OutboundRecipient(mailbox.ToString(), rcpt.Notify, rcpt.OriginalRecipient));
                break;

            default:
                // SECURITY E1: never relay for an unauthenticated client, whatever the address looks like.
                SmtpLog.RecipientRefused(_logger, kind == SmtpRecipientKind.RoutingTrick ? "routing trick" : "relay attempt");
                return await ErrorAsync(RelayDenied).ConfigureAwait(false);
        }

        transaction.RecipientCount++;
        transaction.SingleRecipient = transaction.RecipientCount == 1 ? mailbox : null;
        await ReplyAsync(new SmtpReply(250, "2.1.5", "Recipient OK")).ConfigureAwait(false);
        return false;
    }

    /// <summary>
    /// A mailbox that is already full gets <c>452 4.2.2</c> at RCPT (RFC 3463: mailbox full, possibly temporary);
    /// the store checks again, atomically, at delivery.
    /// </summary>
    private async ValueTask<SmtpReply?> CheckQuotaAsync(string accountName, long? declaredSize)
    {
        var opened = await _services.Store.OpenAccountAsync(accountName, CancellationToken.None).ConfigureAwait(false);
        if (!opened.IsSuccess)
        {
            return null;
        }

        await using var account = opened.Value.ConfigureAwait(false);
        if (opened.Value is not IMailAccountQuota quota)
        {
            return null;
        }

        var usage = await quota.GetQuotaAsync(CancellationToken.None).ConfigureAwait(false);
        var full = (usage.StorageLimit is { } storage && (usage.StorageUsed >= storage || usage.StorageUsed + (declaredSize ?? 0) > storage))
            || (usage.MessageLimit is { } messages && usage.MessagesUsed >= messages);
        return full ? new SmtpReply(452, "4.2.2", "Mailbox full") : null;
    }
}
