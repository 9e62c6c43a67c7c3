using MailHost.Delivery.Queue;
using MailHost.Protocols.Smtp;
using MailKit;
using MailKit.Net.Smtp;
using MimeKit;

namespace MailHost.Delivery.Transport;

/// <summary>
/// MailKit's SMTP client, told about one queued message at a time: refused recipients are recorded instead of
/// ending the transaction, and the DSN parameters received with the message travel on (RFC 3461 §4).
/// </summary>
internal sealed class OutboundSmtpClient : SmtpClient
{
    private readonly Dictionary<string, QueuedRecipient> _recipients = new(StringComparer.Ordinal);
    private readonly Dictionary<long, string> _refused = [];
    private QueuedMessage? _message;

    public OutboundSmtpClient(string destinationKey, string hostName)
    {
        DestinationKey = destinationKey;
        HostName = hostName;
    }

    public string DestinationKey { get; }

    public string HostName { get; }

    public DateTimeOffset LastUsed { get; set; }

    /// <summary>Set when the message was already prepared (and signed) for transport: MailKit must not change it.</summary>
    public bool MessagePrepared { get; set; }

    public IReadOnlyDictionary<long, string> Refused => _refused;

    public void Begin(QueuedMessage message, IEnumerable<(MailboxAddress Mailbox, QueuedRecipient Recipient)> recipients)
    {
        _message = message;
        _recipients.Clear();
        _refused.Clear();
        foreach (var (mailbox, recipient) in recipients)
        {
            _recipients[mailbox.Address] = recipient;
        }

        // RFC 3461 §4.3: RET travels with MAIL.
        RequestedDsnReturn = message.Return switch
        {
            SmtpDsnReturn.Full => DeliveryStatusNotificationType.Full,
            SmtpDsnReturn.Headers => DeliveryStatusNotificationType.HeadersOnly,
            _ => DeliveryStatusNotificationType.Unspecified,
        };
    }

    private DeliveryStatusNotificationType RequestedDsnReturn
    {
        set => DeliveryStatusNotificationType = value;
    }

    protected override string? GetEnvelopeId(MimeMessage message) => _message?.EnvelopeId;

    /// <remarks>
    /// RFC 3461 §5.2.1 passes NOTIFY and ORCPT on to a next hop that offers DSN. MailKit writes ORCPT itself, as
    /// <c>rfc822;</c> and the RCPT address in xtext, with every NOTIFY it sends, and offers no way to change it: an
    /// ORCPT received equal to the forward-path (what submitting clients send) travels on as received, one that
    /// differs does not, and ORCPT without NOTIFY is not sent. Our own notifications use the ORCPT as received.
    /// </remarks>
    protected override DeliveryStatusNotification? GetDeliveryStatusNotifications(MimeMessage message, MailboxAddress mailbox)
    {
        if (!_recipients.TryGetValue(mailbox.Address, out var recipient) || recipient.Notify == SmtpDsnNotify.Unspecified)
        {
            return null;
        }

        if (recipient.Notify.HasFlag(SmtpDsnNotify.Never))
        {
            return DeliveryStatusNotification.Never;
        }

        var notify = default(DeliveryStatusNotification);
        notify |= recipient.Notify.HasFlag(SmtpDsnNotify.Success) ? DeliveryStatusNotification.Success : default;
        notify |= recipient.Notify.HasFlag(SmtpDsnNotify.Failure) ? DeliveryStatusNotification.Failure : default;
        notify |= recipient.Notify.HasFlag(SmtpDsnNotify.Delay) ? DeliveryStatusNotification.Delay : default;
        return notify;
    }

    protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response)
    {
        if (_recipients.TryGetValue(mailbox.Address, out var recipient))
        {
            _refused[recipient.Id] = Describe(response);
        }
    }

    protected override void OnNoRecipientsAccepted(MimeMessage message)
        => throw new SmtpCommandException(SmtpErrorCode.RecipientNotAccepted, SmtpStatusCode.MailboxUnavailable, "No recipient was accepted.");

    protected override void Prepare(FormatOptions options, MimeMessage message, EncodingConstraint constraint, int maxLineLength)
    {
        if (!MessagePrepared)
        {
            base.Prepare(options, message, constraint, maxLineLength);
        }
    }

    internal static string Describe(SmtpResponse response)
        => ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + response.Response.ReplaceLineEndings(" ");
}
