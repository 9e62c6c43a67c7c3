using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using MailHost.Accounts;
using MailHost.Delivery.Queue;
using MailHost.Protocols.Smtp;
using MailHost.Storage;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace MailHost.Delivery.Notifications;

/// <summary>
/// Writes delivery status notifications (RFC 3464, in a multipart/report of RFC 6522) to the envelope sender:
/// into the sender's INBOX when the sender is a local address, otherwise through the outbound queue with the
/// null reverse-path (RFC 3461 §6.2) so that a notification never causes another.
/// </summary>
internal sealed partial class DeliveryStatusNotifier(
    IAccountDirectory directory, IMailStore store, IOutboundQueueStore queue, OutboundDeliveryOptions options, string hostname, TimeProvider time, ILogger logger)
{
    /// <summary>Whether a recipient in this final state calls for a notification (RFC 3461 §4.1, §6.1).</summary>
    public static bool NeedsNotice(QueuedMessage message, QueuedRecipient recipient, QueueRecipientState state, bool remoteTookDsn)
    {
        // RFC 3461 §6.2 / RFC 5321 §4.5.5: never a notification about a message with the null reverse-path.
        if (message.ReversePath is null || recipient.Notify.HasFlag(SmtpDsnNotify.Never))
        {
            return false;
        }

        return state switch
        {
            QueueRecipientState.Failed or QueueRecipientState.Expired => recipient.Notify == SmtpDsnNotify.Unspecified || recipient.Notify.HasFlag(SmtpDsnNotify.Failure),

            // RFC 3461 §5.2.2: when the next hop does not take the DSN request, this MTA reports "relayed".
            QueueRecipientState.Delivered => recipient.Notify.HasFlag(SmtpDsnNotify.Success) && !remoteTookDsn,
            _ => false,
        };
    }

    /// <summary>Builds and delivers one notification for the items; whether it is durable somewhere.</summary>
    public async Task<bool> NotifyAsync(QueuedMessage message, IReadOnlyList<DeliveryReportItem> items, MimeMessage? original, CancellationToken cancellationToken)
    {
        if (items.Count == 0 || message.ReversePath is null)
        {
            return true;
        }

        var report = Build(message, items, original);
        var file = new FileStream(Path.GetTempFileName(), FileMode.Open, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        await using (file.ConfigureAwait(false))
        {
            await report.WriteToAsync(FormatOptions.Default, file, cancellationToken).ConfigureAwait(false);
            file.Position = 0;
            var canonical = MailAddressCanonicalizer.CanonicalizeAddress(message.ReversePath);
            var account = canonical is null ? null : await directory.FindByAddressAsync(canonical, cancellationToken).ConfigureAwait(false);
            if (account is not null)
            {
                var delivered = await store.DeliverAsync(file, [new DeliveryTarget(account.Name)], cancellationToken).ConfigureAwait(false);
                var ok = delivered.IsSuccess && delivered.Value.Targets.All(t => t.Error is null);
                if (!ok)
                {
                    LogNoticeFailed(logger, message.Id, delivered.Error?.Message ?? delivered.Value.Targets.First(t => t.Error is not null).Error!.Message);
                }

                return ok;
            }

            var envelope = new OutboundEnvelope(null, [new OutboundRecipient(message.ReversePath)], message.Account) { Origin = OutboundOrigin.Server };
            var queued = await queue.EnqueueAsync(envelope, file, time.GetUtcNow() + options.MaxAge, cancellationToken).ConfigureAwait(false);
            if (!queued.IsSuccess)
            {
                LogNoticeFailed(logger, message.Id, queued.Error.Message);
            }

            return queued.IsSuccess;
        }
    }

    private MimeMessage Build(QueuedMessage message, IReadOnlyList<DeliveryReportItem> items, MimeMessage? original)
    {
        var failed = items.Any(i => i.State is QueueRecipientState.Failed or QueueRecipientState.Expired);
        var now = time.GetUtcNow();
        var report = new MimeMessage();
        report.From.Add(new MailboxAddress("Mail Delivery System", "MAILER-DAEMON@" + hostname));
        report.To.Add(new MailboxAddress(string.Empty, message.ReversePath!));
        report.Subject = failed ? "Undelivered Mail Returned to Sender" : "Delivery Status Notification (Relayed)";
        report.Date = now;
        report.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(hostname);

        // RFC 3834 §5: mark it automatic so that responders stay quiet.
        report.Headers.Add("Auto-Submitted", "auto-replied");

        var human = new StringBuilder();
        human.Append(CultureInfo.InvariantCulture, $"This is the mail system at {hostname}.\r\n\r\n");
        human.Append(failed
            ? "Your message could not be delivered to one or more recipients. Details follow.\r\n\r\n"
            : "Your message was passed on to a mail system that does not send delivery notifications.\r\n\r\n");
        foreach (var item in items)
        {
            human.Append(CultureInfo.InvariantCulture, $"<{item.Recipient.Address}>: {ActionOf(item.State)}");
            if (item.Reply is { Length: > 0 } reply)
            {
                human.Append(CultureInfo.InvariantCulture, $": {reply}");
            }

            human.Append("\r\n");
        }

        var multipart = new MultipartReport("delivery-status") { new TextPart("plain") { Text = human.ToString() } };

        // RFC 3464 §2.2: the per-message fields, then one group per recipient (§2.3).
        var status = new MessageDeliveryStatus();
        var perMessage = new HeaderList { { "Reporting-MTA", "dns; " + hostname } };
        if (message.EnvelopeId is { } envelopeId)
        {
            perMessage.Add("Original-Envelope-Id", envelopeId);
        }

        perMessage.Add("Arrival-Date", MimeKit.Utils.DateUtils.FormatDate(message.Created));
        status.StatusGroups.Add(perMessage);
        foreach (var item in items)
        {
            var group = new HeaderList();
            if (item.Recipient.OriginalRecipient is { } orcpt)
            {
                group.Add("Original-Recipient", orcpt.AddressType + ";" + orcpt.Address);
            }

            group.Add("Final-Recipient", "rfc822;" + item.Recipient.Address);
            group.Add("Action", ActionOf(item.State));
            group.Add("Status", StatusOf(item.State, item.Reply));
            if (item.RemoteMta is { Length: > 0 } mta)
            {
                group.Add("Remote-MTA", "dns; " + mta);
            }

            if (item.Reply is { Length: > 0 } reply && char.IsAsciiDigit(reply[0]))
            {
                group.Add("Diagnostic-Code", "smtp; " + reply);
            }

            group.Add("Last-Attempt-Date", MimeKit.Utils.DateUtils.FormatDate(item.LastAttempt));
            if (item.State == QueueRecipientState.Expired)
            {
                group.Add("Will-Retry-Until", MimeKit.Utils.DateUtils.FormatDate(message.Expires));
            }

            status.StatusGroups.Add(group);
        }

        multipart.Add(status);

        // RFC 3461 §4.3: RET=FULL returns the whole message; otherwise (RET=HDRS or none) only its header.
        if (original is not null)
        {
            if (message.Return == SmtpDsnReturn.Full)
            {
                multipart.Add(new MessagePart("rfc822") { Message = original });
            }
            else
            {
                var headers = new MemoryStream();
                original.Headers.WriteTo(FormatOptions.Default, headers);
                headers.Position = 0;
                multipart.Add(new MimePart("text", "rfc822-headers") { Content = new MimeContent(headers) });
            }
        }

        report.Body = multipart;
        return report;
    }

    private static string ActionOf(QueueRecipientState state) => state switch
    {
        QueueRecipientState.Delivered => "relayed",
        _ => "failed",
    };

    /// <summary>The RFC 3463 status: the reply's enhanced code when it has one, else one that fits the state.</summary>
    private static string StatusOf(QueueRecipientState state, string? reply)
    {
        if (state == QueueRecipientState.Expired)
        {
            // RFC 3463 §3.5: 4.4.7, delivery time expired.
            return "4.4.7";
        }

        if (reply is not null && EnhancedCode().Match(reply) is { Success: true } match && (state != QueueRecipientState.Failed || match.Value[0] == '5'))
        {
            return match.Value;
        }

        return state == QueueRecipientState.Delivered ? "2.0.0" : "5.0.0";
    }

    [GeneratedRegex(@"(?<=^\d{3}[ -])[245]\.\d{1,3}\.\d{1,3}\b", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex EnhancedCode();

    [LoggerMessage(3023, LogLevel.Warning, "Delivery status notification for {MessageId} could not be stored yet: {Reason}")]
    private static partial void LogNoticeFailed(ILogger logger, string messageId, string reason);
}
