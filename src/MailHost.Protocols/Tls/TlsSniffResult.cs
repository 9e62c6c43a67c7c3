namespace MailHost.Protocols.Tls;

/// <summary>What the first bytes of a connection say about TLS.</summary>
public enum TlsSniffResult
{
    /// <summary>Fewer bytes than needed to decide, and every byte so far fits a TLS ClientHello record.</summary>
    NeedMoreData,

    /// <summary>The bytes start a TLS handshake record that carries a ClientHello.</summary>
    ClientHello,

    /// <summary>At least one byte rules TLS out; the connection speaks something else.</summary>
    NotTls,
}
