using MailHost.Protocols.Smtp;

namespace MailHost.Delivery;

/// <summary>The SMTP envelope of a message for outbound delivery (RFC 5321 §2.3.1), with its DSN parameters (RFC 3461).</summary>
/// <param name="ReversePath">The MAIL FROM address, or <see langword="null"/> for the null reverse-path <c>&lt;&gt;</c>.</param>
/// <param name="Recipients">The external recipients, in RCPT order, at least one.</param>
/// <param name="Account">The authenticated account that submitted the message (for a notification, the account of the message it reports on).</param>
public sealed record OutboundEnvelope(string? ReversePath, IReadOnlyList<OutboundRecipient> Recipients, string Account)
{
    /// <summary><c>BODY=</c> as given with MAIL (RFC 6152, RFC 3030): the next hop must offer it.</summary>
    public SmtpBodyType Body { get; init; }

    /// <summary>Whether the message needs SMTPUTF8 at the next hop (RFC 6531).</summary>
    public bool SmtpUtf8 { get; init; }

    /// <summary><c>RET=</c> (RFC 3461 §4.3).</summary>
    public SmtpDsnReturn Return { get; init; }

    /// <summary><c>ENVID=</c> decoded (RFC 3461 §4.4), or <see langword="null"/>.</summary>
    public string? EnvelopeId { get; init; }

    /// <summary>Who wrote the message: the submitting account (the default) or the server.</summary>
    public OutboundOrigin Origin { get; init; }
}
