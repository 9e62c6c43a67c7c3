namespace MailHost.Protocols.Proxy;

/// <summary>The outcome of <see cref="ProxyProtocolParser.TryParse"/>.</summary>
public enum ProxyParseStatus
{
    /// <summary>The bytes so far are a valid start of a PROXY header; nothing was consumed.</summary>
    Incomplete,

    /// <summary>A whole, valid PROXY header was parsed; the connection's own data starts after it.</summary>
    Complete,

    /// <summary>The bytes are not a valid PROXY header; the connection must be closed.</summary>
    Invalid,
}
