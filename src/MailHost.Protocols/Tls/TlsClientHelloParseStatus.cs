namespace MailHost.Protocols.Tls;

/// <summary>The outcome of <see cref="TlsClientHelloParser.TryParse"/>.</summary>
public enum TlsClientHelloParseStatus
{
    /// <summary>Everything buffered so far is well formed, but the handshake message is not complete yet.</summary>
    Incomplete,

    /// <summary>A whole, well-formed ClientHello was parsed.</summary>
    Complete,

    /// <summary>The bytes are not a well-formed ClientHello; waiting for more cannot fix them.</summary>
    Invalid,
}
