namespace MailHost.Protocols.Smtp;

/// <summary>How an EHLO/HELO argument relates to the RFC 5321 grammar.</summary>
public enum SmtpIdentityKind
{
    /// <summary>A syntactically valid <c>Domain</c> (RFC 5321 §4.1.2).</summary>
    Domain = 0,

    /// <summary>A valid <c>address-literal</c> such as <c>[192.0.2.1]</c> (RFC 5321 §4.1.3).</summary>
    AddressLiteral = 1,

    /// <summary>
    /// Printable text that is neither, such as <c>DESKTOP-1_A</c> or a bare IP address. Accepted because many real
    /// clients send it and RFC 5321 §4.1.4 forbids refusing a session over the EHLO argument; policy may judge it.
    /// </summary>
    Other = 2,
}
