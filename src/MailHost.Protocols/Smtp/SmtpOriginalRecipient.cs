namespace MailHost.Protocols.Smtp;

/// <summary>The RCPT <c>ORCPT=addr-type;xtext</c> parameter (RFC 3461 §4.2).</summary>
/// <param name="AddressType">The address type as sent, for example <c>rfc822</c>.</param>
/// <param name="Address">The xtext-decoded original recipient (printable ASCII).</param>
public sealed record SmtpOriginalRecipient(string AddressType, string Address);
