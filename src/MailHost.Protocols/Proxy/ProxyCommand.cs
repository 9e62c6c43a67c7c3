namespace MailHost.Protocols.Proxy;

/// <summary>The command of a PROXY header.</summary>
public enum ProxyCommand
{
    /// <summary>
    /// v2 LOCAL: the proxy opened the connection itself (a health check); use the real connection endpoints.
    /// </summary>
    Local,

    /// <summary>The connection is relayed on behalf of a client; the header carries the client's endpoints (v1 is always this).</summary>
    Proxy,
}
