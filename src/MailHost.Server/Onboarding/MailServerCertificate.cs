using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MailHost.Certificates;
using MailHost.Hosting;
using Microsoft.AspNetCore.Connections;

namespace MailHost.Server.Onboarding;

/// <summary>
/// The certificate the mail endpoints present, for the HTTPS onboarding listener and for signing Apple profiles. It is
/// asked for each time, not copied at start-up, so a certificate reloaded for the mail endpoints is the one HTTPS and
/// the profile signature use too.
/// </summary>
internal sealed class MailServerCertificate(MailListenerRegistry listeners, IServerCertificateRegistry? certificates = null)
{
    /// <summary>
    /// The certificate of the first TLS mail endpoint: its own (<see cref="MailEndpointOptions.ServerCertificate"/> or
    /// selector) if it has one, else the host's certificate for <paramref name="serverName"/> from
    /// <see cref="IServerCertificateRegistry"/>. Null when no TLS mail endpoint is enabled.
    /// </summary>
    /// <param name="connection">The HTTPS connection, for an endpoint's own SNI selector; null outside a handshake.</param>
    /// <param name="serverName">The server name the client asked for (SNI), if any.</param>
    public X509Certificate2? Find(ConnectionContext? connection, string? serverName)
    {
        foreach (var listener in listeners.Listeners)
        {
            var options = listener.Options;
            if (options.Tls == MailTlsMode.None)
            {
                continue;
            }

            var own = connection is null ? null : options.ServerCertificateSelector?.Invoke(connection, serverName);
            if ((own ?? options.ServerCertificate ?? certificates?.SelectCertificate(serverName)) is { } certificate)
            {
                return certificate;
            }
        }

        return null;
    }

    /// <summary>
    /// What <see cref="Find"/> finds, as a TLS context with the chain to send: the intermediates the host's certificate
    /// came with (a strict client, such as an MTA-STS policy fetcher, needs them); an endpoint's own certificate is sent
    /// with what the machine's stores hold for it. Null when no TLS mail endpoint is enabled.
    /// </summary>
    public SslStreamCertificateContext? FindContext(ConnectionContext? connection, string? serverName)
    {
        foreach (var listener in listeners.Listeners)
        {
            var options = listener.Options;
            if (options.Tls == MailTlsMode.None)
            {
                continue;
            }

            var own = (connection is null ? null : options.ServerCertificateSelector?.Invoke(connection, serverName)) ?? options.ServerCertificate;
            if (own is not null)
            {
                return SslStreamCertificateContext.Create(own, additionalCertificates: null, offline: true);
            }

            var context = certificates is ServerCertificateStore store
                ? store.SelectContext(serverName)
                : certificates?.SelectCertificate(serverName) is { } certificate
                    ? SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true)
                    : null;
            if (context is not null)
            {
                return context;
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="certificate"/> is its own issuer (the generated certificate, or any self-made one).</summary>
    public static bool IsSelfSigned(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData);
    }
}
