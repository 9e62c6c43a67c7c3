using MailHost.Protocols.Smtp;

namespace MailHost.Delivery;

/// <summary>One external recipient with its DSN parameters (RFC 3461 §4.1, §4.2).</summary>
/// <param name="Address">The forward-path mailbox in RFC 5321 form (quoted local part where needed), without angle brackets.</param>
/// <param name="Notify"><c>NOTIFY=</c>, or <see cref="SmtpDsnNotify.Unspecified"/>.</param>
/// <param name="OriginalRecipient"><c>ORCPT=</c>, or <see langword="null"/>.</param>
public sealed record OutboundRecipient(string Address, SmtpDsnNotify Notify = SmtpDsnNotify.Unspecified, SmtpOriginalRecipient? OriginalRecipient = null)
{
    /// <summary>
    /// The domain (or address literal) after the last <c>@</c>, lower case: what routing and MX lookup use. A quoted
    /// local part may itself hold <c>@</c> (RFC 5321 §4.1.2), so the last one separates the domain.
    /// </summary>
    public string Domain => DomainOf(Address);

    /// <summary>The lower-case domain part of an RFC 5321 mailbox, or an empty string when there is none.</summary>
    public static string DomainOf(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var at = address.LastIndexOf('@');
        return at < 0 ? string.Empty : address[(at + 1)..].TrimEnd('.').ToLowerInvariant();
    }
}
