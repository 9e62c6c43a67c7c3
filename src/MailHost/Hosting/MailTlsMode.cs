namespace MailHost.Hosting;

/// <summary>How an endpoint uses TLS.</summary>
public enum MailTlsMode
{
    /// <summary>Plain text only; STARTTLS is not offered.</summary>
    None,

    /// <summary>Plain text greeting; the client may upgrade with STARTTLS/STLS (RFC 2595, RFC 3207).</summary>
    StartTls,

    /// <summary>TLS from the first byte (RFC 8314 implicit TLS: ports 993, 995, 465).</summary>
    Implicit,

    /// <summary>
    /// The server holds its greeting for a short detection window. A TLS ClientHello in that window starts the
    /// handshake and the greeting is sent inside TLS; otherwise the greeting goes out in plain text and STARTTLS
    /// is offered. Serves clients that open TLS straight away on a plain-text port.
    /// </summary>
    Auto,
}
