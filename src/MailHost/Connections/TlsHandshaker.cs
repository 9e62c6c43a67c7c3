using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MailHost.Hosting;
using MailHost.Protocols.Tls;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace MailHost.Connections;

/// <summary>
/// The one TLS handshake path of MailHost, used for implicit TLS, detected TLS and STARTTLS alike: read the whole
/// ClientHello without consuming it, refuse cross-protocol clients (ALPACA: an ALPN list of HTTP ids only), pick the
/// certificate for the requested server name, take a place in the endpoint's <see cref="PendingHandshakeGate"/>, and
/// run the handshake (TLS 1.2 and 1.3 only, RFC 8996) over the raw transport.
/// </summary>
internal sealed class TlsHandshaker(MailEndpointOptions endpoint, PendingHandshakeGate gate, MailLimitsOptions limits, ILogger logger)
{
    private SslStreamCertificateContext? _defaultContext;

    public bool HasCertificate =>
        endpoint.ServerCertificate is not null || endpoint.ServerCertificateSelector is not null || endpoint.CertificateContextSelector is not null;

    /// <summary>The address range the gate counts <paramref name="connection"/> under; null when the address is unknown.</summary>
    public IPNetwork? RangeOf(MailConnection connection)
        => connection.RemoteEndPoint?.Address is { } address ? limits.RangeOf(address) : null;

    /// <summary>
    /// Whether the gate would admit a handshake of <paramref name="connection"/> now; logs and counts a refusal. STARTTLS
    /// asks before its positive reply, so that an endpoint already at its limit can still answer with a temporary error.
    /// </summary>
    public bool HasRoomFor(MailConnection connection)
    {
        var range = RangeOf(connection);
        if (gate.HasRoom(range))
        {
            return true;
        }

        var endpointFull = !gate.HasRoom(null);
        Refused(connection, range, endpointFull);
        return false;
    }

    /// <summary>
    /// Handshakes on <paramref name="context"/>'s current transport; null when it failed or was refused (already logged).
    /// </summary>
    /// <param name="context">The connection; its transport starts with the ClientHello.</param>
    /// <param name="connection">The connection's state; marked encrypted on success.</param>
    /// <param name="helloDeadline">Cancelled when the whole ClientHello has not arrived in time.</param>
    /// <param name="handshakeDeadline">Cancelled when the handshake has not finished in time.</param>
    public async Task<TlsTransport?> HandshakeAsync(
        ConnectionContext context, MailConnection connection, CancellationToken helloDeadline, CancellationToken handshakeDeadline)
    {
        var hello = await PeekClientHelloAsync(context.Transport.Input, helloDeadline).ConfigureAwait(false);
        var tls = hello is null ? null : await NegotiateAsync(context, connection, hello, handshakeDeadline).ConfigureAwait(false);
        if (tls is null)
        {
            // Nothing was negotiated, so the version is the highest the client offered: a client too old for TLS 1.2 shows as such.
            MailHostMetrics.TlsHandshake(endpoint.Protocol, hello is null ? "unknown" : MailHostMetrics.TlsVersionName(hello.HighestOfferedVersion), succeeded: false);
        }

        return tls;
    }

    /// <summary>The handshake once the whole ClientHello is in: the policy checks, a place in the gate, the handshake.</summary>
    private async Task<TlsTransport?> NegotiateAsync(
        ConnectionContext context, MailConnection connection, TlsClientHelloInfo hello, CancellationToken handshakeDeadline)
    {
        if (TlsAlpnPolicy.OffersOnlyForeignProtocols(hello.ApplicationProtocols))
        {
            ConnectionLog.TlsForeignAlpn(logger, string.Join(",", hello.ApplicationProtocols));
            return null;
        }

        var certificate = SelectCertificate(context, hello.ServerName);
        if (certificate is null)
        {
            ConnectionLog.TlsFailed(logger, "no server certificate for name " + (hello.ServerName ?? "(none)"));
            return null;
        }

        // SECURITY A7: only now, with a whole ClientHello in hand, does the connection cost a handshake; silence and
        // partial hellos before this point hold no place, and one client range cannot take every place.
        var range = RangeOf(connection);
        if (!gate.TryEnter(range, out var endpointFull))
        {
            Refused(connection, range, endpointFull);
            return null;
        }

        try
        {
            return await AuthenticateAsync(context, connection, hello, certificate, handshakeDeadline).ConfigureAwait(false);
        }
        finally
        {
            gate.Exit(range);
        }
    }

    /// <summary>
    /// RFC 6066 §3: the server name in the ClientHello picks the certificate, from the host's store or the endpoint's own
    /// selector; with neither answering, the endpoint's own certificate.
    /// </summary>
    private SslStreamCertificateContext? SelectCertificate(ConnectionContext context, string? serverName)
    {
        if (endpoint.CertificateContextSelector?.Invoke(serverName) is { } selected)
        {
            return selected;
        }

        var certificate = endpoint.ServerCertificateSelector?.Invoke(context, serverName) ?? endpoint.ServerCertificate;
        return certificate is null ? null : ContextFor(certificate);
    }

    private async Task<TlsTransport?> AuthenticateAsync(
        ConnectionContext context, MailConnection connection, TlsClientHelloInfo hello, SslStreamCertificateContext certificate, CancellationToken deadline)
    {
        var ours = endpoint.AlpnProtocol;
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = certificate,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ClientCertificateRequired = false,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            AllowRenegotiation = false,

            // RFC 7301 §3.2: answer with our protocol only when the client offered it; a client that offered other
            // (non-HTTP) ids or none simply gets no ALPN extension back.
            ApplicationProtocols = ours is not null && hello.ApplicationProtocols.Contains(ours)
                ? [new SslApplicationProtocol(ours)]
                : null,
        };

        var stream = new SslStream(new DuplexPipeStream(context.Transport), leaveInnerStreamOpen: false);
        try
        {
            await stream.AuthenticateAsServerAsync(options, deadline).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException)
        {
            ConnectionLog.TlsFailed(logger, deadline.IsCancellationRequested ? "handshake deadline passed" : ex.Message);
            await stream.DisposeAsync().ConfigureAwait(false);
            return null;
        }

        connection.IsTls = true;
        connection.TlsDescription = Describe(stream);
        MailHostMetrics.TlsHandshake(endpoint.Protocol, stream.SslProtocol switch
        {
            SslProtocols.Tls13 => MailHostMetrics.TlsVersionName(0x0304),
            SslProtocols.Tls12 => MailHostMetrics.TlsVersionName(0x0303),
            _ => MailHostMetrics.TlsVersionName(0),
        }, succeeded: true);
        var alpn = stream.NegotiatedApplicationProtocol.Protocol.IsEmpty ? null : stream.NegotiatedApplicationProtocol.ToString();
        ConnectionLog.TlsEstablished(logger, connection.TlsDescription, hello.ServerName, alpn);
        return new TlsTransport(stream);
    }

    /// <summary>"TLSv1.3 TLS_AES_256_GCM_SHA384": the form Received headers and logs use.</summary>
    internal static string Describe(SslStream stream)
    {
#pragma warning disable SYSLIB0039 // TLS 1.0/1.1 names appear only to describe, never to enable.
        var protocol = stream.SslProtocol switch
        {
            SslProtocols.Tls13 => "TLSv1.3",
            SslProtocols.Tls12 => "TLSv1.2",
            var other => other.ToString(),
        };
#pragma warning restore SYSLIB0039
        return protocol + " " + stream.NegotiatedCipherSuite;
    }

    private void Refused(MailConnection connection, IPNetwork? range, bool endpointFull)
    {
        if (endpointFull)
        {
            ConnectionLog.TlsPendingFull(logger, gate.Limit);
            MailHostMetrics.Refused(connection, "tls-pending-limit");
        }
        else
        {
            ConnectionLog.TlsPendingAddressFull(logger, range?.ToString() ?? "?", gate.PerRangeLimit);
            MailHostMetrics.Refused(connection, "tls-pending-address-limit");
        }
    }

    /// <summary>Waits until the whole ClientHello is buffered, without consuming any of it.</summary>
    private async Task<TlsClientHelloInfo?> PeekClientHelloAsync(PipeReader input, CancellationToken deadline)
    {
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(deadline).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                ConnectionLog.TlsFailed(logger, "no complete ClientHello before the ClientHello deadline");
                return null;
            }

            var buffer = result.Buffer;
            var status = TlsClientHelloParser.TryParse(buffer, out var info);
            if (status == TlsClientHelloParseStatus.Complete)
            {
                input.AdvanceTo(buffer.Start);
                return info;
            }

            if (status == TlsClientHelloParseStatus.Invalid || result.IsCompleted)
            {
                input.AdvanceTo(buffer.Start);
                ConnectionLog.TlsFailed(logger, status == TlsClientHelloParseStatus.Invalid ? "malformed ClientHello" : "connection closed inside the ClientHello");
                return null;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private SslStreamCertificateContext ContextFor(X509Certificate2 certificate)
    {
        if (ReferenceEquals(certificate, endpoint.ServerCertificate))
        {
            return _defaultContext ??= SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true);
        }

        return SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true);
    }
}
