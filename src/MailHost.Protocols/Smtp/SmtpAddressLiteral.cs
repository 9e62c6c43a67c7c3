using System.Net;

namespace MailHost.Protocols.Smtp;

/// <summary>
/// An <c>address-literal</c> (RFC 5321 §4.1.3) used as the domain of a mailbox. Open-relay checks must treat it as
/// never local unless it is one of the server's own addresses (SECURITY E1).
/// </summary>
/// <param name="Kind">Which form.</param>
/// <param name="Text">The literal as sent, brackets included.</param>
/// <param name="Address">The address for IPv4 and IPv6 literals; <see langword="null"/> for general ones.</param>
public sealed record SmtpAddressLiteral(SmtpAddressLiteralKind Kind, string Text, IPAddress? Address);
