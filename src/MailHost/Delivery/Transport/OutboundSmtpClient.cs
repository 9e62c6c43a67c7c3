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

    /// <summary>
    /// Called once MailKit has prepared the message for this server (encodings fitted to 8BITMIME/BINARYMIME) with the
    /// format options it then writes the message with; returns the field it added (a DKIM-Signature), if any.
    /// </summary>
    public Func<FormatOptions, MimeMessage, Header?>? Sign { get; set; }

    /// <summary>The field <see cref="Sign"/> added in the current transaction; the caller removes it afterwards.</summary>
    public Header? AddedSignature { get; private set; }

    public IReadOnlyDictionary<long, string> Refused => _refused;

    public void Begin(QueuedMessage message, IEnumerable<(MailboxAddress Mailbox, QueuedRecipient Recipient)> recipients)
    {
        _message = message;
        AddedSignature = null;
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
        base.Prepare(options, message, constraint, maxLineLength);

        // Signed after the last change to the message and with the very options it is written with, so the bytes
        // sent are the bytes signed (RFC 6376 §5.3: sign the message in the form it is transmitted).
        AddedSignature = Sign?.Invoke(options, message);
    }

    internal static string Describe(SmtpResponse response)
        => ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + response.Response.ReplaceLineEndings(" ");
}
