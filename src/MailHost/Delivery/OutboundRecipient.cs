using MailHost.Protocols.Smtp;

namespace MailHost.Delivery;

/// <summary>One external recipient with its DSN parameters (RFC 3461 §4.1, §4.2).</summary>
/// <param name="Address">The forward-path mailbox in RFC 5321 form (quoted local part where needed), without angle brackets.</param>
/// <param name="Notify"><c>NOTIFY=</c>, or <see cref="SmtpDsnNotify.Unspecified"/>.</param>
/// <param name="OriginalRecipient"><c>ORCPT=</c>, or <see langword="null"/>.</param>
public sealed record OutboundRecipient(string Address, SmtpDsnNotify Notify = SmtpDsnNotify.Unspecified, SmtpOriginalRecipient? OriginalRecipient = null);
