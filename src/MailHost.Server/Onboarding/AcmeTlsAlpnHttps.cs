using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Authentication;
using MailHost.Certificates.Acme;
using MailHost.Protocols.Tls;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace MailHost.Server.Onboarding;

/// <summary>
/// HTTPS on the onboarding listener that also answers ACME TLS-ALPN-01 (RFC 8737): a client that offers the
/// <c>acme-tls/1</c> protocol for a name with a pending challenge gets the validation certificate and that protocol
/// (§3); every other client gets the mail certificate and HTTP, as before. The offered protocols are not part of
/// Kestrel's handshake callback, so the ClientHello is peeked first (never consumed), and only while a challenge is
/// pending: the rest of the time connections go straight to the handshake.
/// </summary>
internal static class AcmeTlsAlpnHttps
{
    /// <summary>The longest wait for a whole ClientHello before the handshake goes ahead without knowing its protocols.</summary>
    public static readonly TimeSpan ClientHelloWait = TimeSpan.FromSeconds(5);

    private static readonly object OffersAcmeTls = new();

    /// <summary>Adds the peek and the HTTPS middleware to <paramref name="listen"/>.</summary>
    public static void UseHttpsAnsweringTlsAlpn01(this ListenOptions listen, MailServerCertificate certificate, AcmeChallengeResponses responses)
    {
        ArgumentNullException.ThrowIfNull(listen);
        listen.Use(next => connection => PeekThenContinueAsync(connection, next, responses));
        listen.UseHttps(new TlsHandshakeCallbackOptions
        {
            OnConnection = context => ValueTask.FromResult(OptionsFor(context, certificate, responses)),
        });
    }

    private static SslServerAuthenticationOptions OptionsFor(TlsHandshakeCallbackContext context, MailServerCertificate certificate, AcmeChallengeResponses responses)
    {
        var serverName = context.ClientHelloInfo.ServerName;
        if (context.Connection.Items.ContainsKey(OffersAcmeTls) && responses.FindTlsAlpn01Certificate(serverName) is { } validation)
        {
            // RFC 8737 §3: the validation certificate, with acme-tls/1 negotiated; the validator closes afterwards.
            return new SslServerAuthenticationOptions
            {
                ServerCertificate = validation,
                ApplicationProtocols = [new SslApplicationProtocol(AcmeChallengeResponses.TlsAlpn01Protocol)],
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            };
        }

        // ApplicationProtocols left unset: Kestrel offers HTTP/2 and HTTP/1.1 as on any HTTPS listener.
        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = certificate.FindContext(context.Connection, serverName),
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        };
    }

    private static async Task PeekThenContinueAsync(ConnectionContext connection, ConnectionDelegate next, AcmeChallengeResponses responses)
    {
        if (responses.HasPendingTlsAlpn01)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
            wait.CancelAfter(ClientHelloWait);
            if (await OffersAcmeTlsAsync(connection.Transport.Input, wait.Token).ConfigureAwait(false))
            {
                connection.Items[OffersAcmeTls] = true;
            }
        }

        await next(connection).ConfigureAwait(false);
    }

    /// <summary>Whether the ClientHello at the start of <paramref name="input"/> offers acme-tls/1; leaves every byte unread.</summary>
    private static async Task<bool> OffersAcmeTlsAsync(PipeReader input, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Slow or silent: the TLS middleware applies its own handshake timeout.
                return false;
            }

            var buffer = result.Buffer;
            var status = TlsClientHelloParser.TryParse(buffer, out var info);
            if (status != TlsClientHelloParseStatus.Incomplete || result.IsCompleted)
            {
                // Decided: leave everything for the TLS handshake to read.
                input.AdvanceTo(buffer.Start);
                return status == TlsClientHelloParseStatus.Complete && info!.ApplicationProtocols.Contains(AcmeChallengeResponses.TlsAlpn01Protocol);
            }

            // Undecided: nothing consumed, everything examined, so the next read waits for more bytes.
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}
