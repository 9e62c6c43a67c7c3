using System.Net;
using MailHost.Hosting;

namespace MailHost.Filtering;

/// <summary>What filters know of the SMTP connection; updated by the session as it goes (HELO, STARTTLS, AUTH).</summary>
public sealed class InboundFilterSession
{
    /// <summary>The client's address (after PROXY protocol, the original client's); null when unknown.</summary>
    public IPAddress? ClientAddress { get; init; }

    /// <summary>The client's port; 0 when unknown.</summary>
    public int ClientPort { get; init; }

    /// <summary>The endpoint's protocol: <see cref="MailProtocol.Smtp"/> (MX) or <see cref="MailProtocol.Submission"/>.</summary>
    public MailProtocol Protocol { get; init; }

    /// <summary>This server's host name (the greeting's).</summary>
    public required string ServerName { get; init; }

    /// <summary>A unique id of the connection, as in the log scope.</summary>
    public required string ConnectionId { get; init; }

    /// <summary>The name given in the last EHLO or HELO; null before it.</summary>
    public string? HeloName { get; internal set; }

    /// <summary>Whether the connection is encrypted (implicit TLS or after STARTTLS).</summary>
    public bool IsTls { get; internal set; }

    /// <summary>The TLS protocol and cipher suite, as in the Received field; null without TLS.</summary>
    public string? TlsDescription { get; internal set; }

    /// <summary>The account that authenticated with AUTH (submission); null otherwise.</summary>
    public string? AuthenticatedAccount { get; internal set; }
}
