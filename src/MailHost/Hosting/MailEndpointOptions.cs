using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;

namespace MailHost.Hosting;

/// <summary>Settings of one listening mail endpoint. Defaults suit a public server.</summary>
public sealed class MailEndpointOptions
{
    /// <summary>The endpoint's name, used in logs (the configuration key, or the protocol name for code-defined endpoints).</summary>
    public string Name { get; set; } = "";

    /// <summary>The protocol spoken; set by the <c>Listen*</c> method or the URL scheme.</summary>
    public MailProtocol Protocol { get; set; }

    /// <summary>How TLS is used. Default <see cref="MailTlsMode.StartTls"/>.</summary>
    public MailTlsMode Tls { get; set; } = MailTlsMode.StartTls;

    /// <summary>
    /// In <see cref="MailTlsMode.Auto"/>, how long the greeting is held while waiting for a TLS ClientHello.
    /// Every plain-text client pays this once per connection before it sees the greeting.
    /// Default 1 second: a TLS client sends its ClientHello right after the TCP handshake, and even a cold .NET
    /// client on a busy 2-core machine has been measured at a few hundred milliseconds.
    /// </summary>
    public TimeSpan TlsDetectionTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Deadline from the connection's start to a finished TLS handshake (implicit or detected), and from a
    /// STARTTLS reply to a finished handshake. Default 10 seconds.
    /// </summary>
    public TimeSpan TlsHandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Deadline for the client's whole ClientHello to arrive, counted from its first byte on a detecting
    /// (<see cref="MailTlsMode.Auto"/>) endpoint, from the connection's start with implicit TLS, and from the reply to
    /// STARTTLS. A connection that sends part of one (a lone <c>0x16</c>, a ClientHello dripped byte by byte) is closed
    /// when it passes. A real client sends its ClientHello in one flight, so one round trip is all it needs.
    /// Default 5 seconds; it never extends <see cref="TlsHandshakeTimeout"/>.
    /// </summary>
    public TimeSpan TlsClientHelloTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// TLS handshakes allowed in progress at once on this endpoint; 0 means unlimited. Default 200. Only a connection
    /// whose complete ClientHello has arrived counts, until its handshake ends: waiting for the first byte (TLS
    /// detection), for the rest of a ClientHello, or for a client's STARTTLS handshake to begin holds no place. Beyond
    /// the limit (or <see cref="MaxPendingTlsHandshakesPerAddress"/>) the handshake is refused and the connection
    /// closed; STARTTLS asked for while the limit is already reached gets a temporary error (454, NO [UNAVAILABLE],
    /// -ERR [SYS/TEMP]) and the session goes on in plain text.
    /// </summary>
    public int MaxPendingTlsHandshakes { get; set; } = 200;

    /// <summary>
    /// TLS handshakes one client may have in progress at once on this endpoint, checked before
    /// <see cref="MaxPendingTlsHandshakes"/> so that one source cannot take every place; 0 means no per-client
    /// limit. A client is an address range as <see cref="MailLimitsOptions"/> groups them. Default 10.
    /// </summary>
    public int MaxPendingTlsHandshakesPerAddress { get; set; } = 10;

    /// <summary>The server certificate; when null, <see cref="MailHostOptions"/>' certificate is used.</summary>
    public X509Certificate2? ServerCertificate { get; set; }

    /// <summary>
    /// Optional SNI hook: picks a certificate for the server name the client asked for (may be null). Returning
    /// null falls back to <see cref="ServerCertificate"/>.
    /// </summary>
    public Func<ConnectionContext, string?, X509Certificate2?>? ServerCertificateSelector { get; set; }

    /// <summary>
    /// The host's own certificates (<see cref="MailHost.Certificates.ServerCertificateStore"/>), set when the endpoint
    /// has neither <see cref="ServerCertificate"/> nor <see cref="ServerCertificateSelector"/>: a context per server name,
    /// each built once with its chain rather than per handshake.
    /// </summary>
    internal Func<string?, SslStreamCertificateContext?>? CertificateContextSelector { get; set; }

    /// <summary>Accept a HAProxy PROXY protocol v1/v2 header first (only from <see cref="TrustedProxies"/>).</summary>
    public bool ProxyProtocol { get; set; }

    /// <summary>How long a proxy may take to send its PROXY header. Default 5 seconds.</summary>
    public TimeSpan ProxyHeaderTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Networks (CIDR) allowed to send a PROXY header. A connection from elsewhere is closed.</summary>
    public IList<IPNetwork> TrustedProxies { get; } = [];

    /// <summary>If non-empty, only clients in these networks may connect.</summary>
    public IList<IPNetwork> AllowedNetworks { get; } = [];

    /// <summary>Clients in these networks are refused before the greeting. Deny wins over allow.</summary>
    public IList<IPNetwork> DeniedNetworks { get; } = [];

    /// <summary>Concurrent connections on this endpoint; 0 means unlimited. Default 10,000.</summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>
    /// Concurrent connections from one client on this endpoint; 0 means unlimited. Default 50. A client is an address
    /// range as <see cref="MailLimitsOptions"/> groups them: by default one IPv4 address or one IPv6 /64.
    /// </summary>
    public int MaxConnectionsPerAddress { get; set; } = 50;

    /// <summary>
    /// The operating system's send buffer of each connection (SO_SNDBUF), in octets; 0 leaves it to the system. Left to
    /// itself Linux grows it up to <c>net.ipv4.tcp_wmem</c>'s maximum (4 MiB by default) for a client that reads a few
    /// bytes a second, so a large FETCH or RETR would sit whole in the kernel, the server's writes would never wait,
    /// and the write timeout would never apply. Default 256 KiB (Linux doubles it for its bookkeeping): enough for a
    /// full-speed transfer over a 100 ms round trip.
    /// </summary>
    public int SendBufferSize { get; set; } = 256 * 1024;

    /// <summary>
    /// Whether credentials may be sent without TLS on this endpoint, overriding
    /// <c>MailHost:Auth:AllowPlaintextAuthentication</c> for it. Default null: the global setting decides. Set it to
    /// true only on an endpoint whose clients reach it through a TLS-terminating proxy (or on a trusted network); the
    /// other endpoints keep refusing plain-text logins. False refuses them here even where the global setting allows.
    /// </summary>
    public bool? AllowPlaintextAuthentication { get; set; }

    /// <summary>Idle time allowed before a client authenticates. Default 60 seconds.</summary>
    public TimeSpan PreAuthenticationIdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Whether this endpoint greets in TLS before any byte is read (implicit TLS).</summary>
    internal bool IsImplicitTls => Tls == MailTlsMode.Implicit;

    /// <summary>The IANA ALPN id of the protocol (RFC 7301 registry), or null where none is registered (SMTP).</summary>
    internal string? AlpnProtocol => Protocol switch
    {
        MailProtocol.Imap => "imap",
        MailProtocol.Pop3 => "pop3",
        _ => null,
    };
}
