namespace MailHost.Delivery;

/// <summary>How an outbound connection uses TLS.</summary>
public enum OutboundTlsMode
{
    /// <summary>STARTTLS when the server offers it, any certificate accepted (RFC 7435 opportunistic security); plain otherwise.</summary>
    Opportunistic = 0,

    /// <summary>STARTTLS is required and the certificate is validated.</summary>
    StartTls = 1,

    /// <summary>TLS from the first byte (RFC 8314), certificate validated.</summary>
    Implicit = 2,

    /// <summary>No TLS at all (tests and trusted internal links only).</summary>
    None = 3,
}
