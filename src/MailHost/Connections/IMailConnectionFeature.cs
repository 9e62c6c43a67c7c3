using System.Net;
using MailHost.Hosting;

namespace MailHost.Connections;

/// <summary>
/// What MailHost knows about one connection, shared by the connection middleware and the protocol session.
/// Found in <c>ConnectionContext.Features</c>. The values feed the connection's log scope, so a session that
/// learns the account or the client's name sets them here.
/// </summary>
public interface IMailConnectionFeature
{
    /// <summary>Kestrel's connection id.</summary>
    string ConnectionId { get; }

    /// <summary>The endpoint the connection arrived on.</summary>
    MailEndpointOptions Endpoint { get; }

    /// <summary>The client's address: the socket peer, or the address a trusted PROXY header named.</summary>
    IPEndPoint? RemoteEndPoint { get; }

    /// <summary>The address the client connected to (after PROXY, the proxy's original destination).</summary>
    IPEndPoint? LocalEndPoint { get; }

    /// <summary>Whether the connection is encrypted now.</summary>
    bool IsTls { get; }

    /// <summary>Negotiated TLS protocol and cipher for Received headers and logs (e.g. "TLSv1.3 TLS_AES_256_GCM_SHA384"), or null.</summary>
    string? TlsDescription { get; }

    /// <summary>The authenticated account, once known.</summary>
    string? Account { get; set; }

    /// <summary>The client's own name (IMAP ID "name", EHLO argument), once known.</summary>
    string? ClientName { get; set; }
}
