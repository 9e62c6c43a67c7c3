using MailHost.Protocols.Smtp;

namespace MailHost.Delivery.Queue;

/// <summary>A message in the outbound queue: its envelope, times, lease and recipients.</summary>
/// <param name="Id">The queue id (letters and digits only).</param>
/// <param name="ReversePath">The envelope sender, or <see langword="null"/> for the null reverse-path.</param>
/// <param name="Account">The account that submitted it.</param>
/// <param name="Size">The content length in octets.</param>
/// <param name="Created">When it was queued.</param>
/// <param name="Expires">When pending recipients stop being retried and expire.</param>
/// <param name="NextAttempt">When the message is next due for work.</param>
/// <param name="LeaseOwner">The worker holding a lease, or <see langword="null"/>.</param>
/// <param name="LeaseUntil">When that lease ends, or <see langword="null"/>.</param>
/// <param name="Recipients">Every recipient, in RCPT order.</param>
public sealed record QueuedMessage(
    string Id,
    string? ReversePath,
    string Account,
    long Size,
    DateTimeOffset Created,
    DateTimeOffset Expires,
    DateTimeOffset NextAttempt,
    string? LeaseOwner,
    DateTimeOffset? LeaseUntil,
    IReadOnlyList<QueuedRecipient> Recipients)
{
    /// <summary><c>BODY=</c> from MAIL.</summary>
    public SmtpBodyType Body { get; init; }

    /// <summary>Whether the message needs SMTPUTF8 (RFC 6531).</summary>
    public bool SmtpUtf8 { get; init; }

    /// <summary><c>RET=</c> (RFC 3461 §4.3).</summary>
    public SmtpDsnReturn Return { get; init; }

    /// <summary><c>ENVID=</c> (RFC 3461 §4.4), or <see langword="null"/>.</summary>
    public string? EnvelopeId { get; init; }

    /// <summary>Who wrote the message (see <see cref="OutboundEnvelope.Origin"/>).</summary>
    public OutboundOrigin Origin { get; init; }
}
