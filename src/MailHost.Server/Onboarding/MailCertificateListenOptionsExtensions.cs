using System.Net.Security;
using System.Security.Authentication;
using MailHost.Server.Onboarding;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

// Beside Kestrel's own UseHttps extensions.
namespace Microsoft.AspNetCore.Hosting;

/// <summary>HTTPS on an HTTP listener with the certificate the mail endpoints serve.</summary>
internal static class MailCertificateListenOptionsExtensions
{
    /// <summary>
    /// Chooses the certificate per handshake (by SNI, as the mail endpoints do, so a renewed one is served at once) and
    /// sends it with its intermediates: a selector returning a bare certificate would send the leaf alone.
    /// </summary>
    public static ListenOptions UseMailCertificate(this ListenOptions listen, MailServerCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return listen.UseHttps(new TlsHandshakeCallbackOptions
        {
            OnConnection = context => ValueTask.FromResult(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = certificate.FindContext(context.Connection, context.ClientHelloInfo.ServerName),
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            }),
        });
    }
}
