using MailHost.Hosting;
using MimeKit;

namespace MailHost.Testing;

/// <summary>A message a <see cref="MailTestServer"/> accepted over SMTP or submission, with its envelope.</summary>
/// <remarks>
/// <see cref="Message"/> is the message as the client sent it; the copy the server stores in a mailbox has the
/// server's own <c>Received</c> header on top (read it with <see cref="MailTestServer.GetMailboxMessagesAsync"/>).
/// </remarks>
public sealed class ReceivedMessage
{
    internal ReceivedMessage(MailProtocol protocol, string? envelopeSender, IReadOnlyList<string> envelopeRecipients, MimeMessage message, DateTimeOffset receivedAt)
    {
        Protocol = protocol;
        EnvelopeSender = envelopeSender;
        EnvelopeRecipients = envelopeRecipients;
        Message = message;
        ReceivedAt = receivedAt;
    }

    /// <summary>The endpoint that took it: <see cref="MailProtocol.Smtp"/> (MX) or <see cref="MailProtocol.Submission"/>.</summary>
    public MailProtocol Protocol { get; }

    /// <summary>The MAIL FROM address (RFC 5321 §4.1.1.2), or <see langword="null"/> for the null reverse-path <c>&lt;&gt;</c>.</summary>
    public string? EnvelopeSender { get; }

    /// <summary>The RCPT TO addresses the server accepted (RFC 5321 §4.1.1.3), in the order given.</summary>
    public IReadOnlyList<string> EnvelopeRecipients { get; }

    /// <summary>The message, parsed by MimeKit.</summary>
    public MimeMessage Message { get; }

    /// <summary>When the server acknowledged the end of the message data.</summary>
    public DateTimeOffset ReceivedAt { get; }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Protocol} from <{EnvelopeSender}> to {string.Join(", ", EnvelopeRecipients.Select(r => $"<{r}>"))}: {Message.Subject}";
}
