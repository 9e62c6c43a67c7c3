using System.Net;
using MailHost.Protocols.Smtp;

namespace MailHost.MailAuthentication;

/// <summary>What the SMTP session knows about a message's origin, for SPF (RFC 7208 §2.3, §2.4).</summary>
/// <param name="ClientAddress">The SMTP client's address; <see langword="null"/> when the transport has none (SPF is then none).</param>
/// <param name="HeloIdentity">The EHLO/HELO argument when it is a domain name; <see langword="null"/> otherwise.</param>
/// <param name="MailFrom">The MAIL FROM mailbox; <see langword="null"/> for the null reverse-path.</param>
internal sealed record MailAuthenticationRequest(IPAddress? ClientAddress, string? HeloIdentity, SmtpMailbox? MailFrom)
{
    /// <summary>An identifier of the message for the log (the SMTP transaction id).</summary>
    public string? MessageId { get; init; }
}
