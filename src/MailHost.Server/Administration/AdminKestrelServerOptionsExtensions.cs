using MailHost.Hosting;
using MailHost.Server.Administration;
using MailHost.Server.Onboarding;
using Microsoft.AspNetCore.Server.Kestrel.Core;

// Beside Kestrel's own ListenOptions extensions and ListenMailEndpoints.
namespace Microsoft.AspNetCore.Hosting;

/// <summary>Adds the administration listener next to the mail listeners.</summary>
internal static class AdminKestrelServerOptionsExtensions
{
    /// <summary>
    /// Listens on <c>MailHost:Admin:Url</c> when it is set. Call after
    /// <see cref="MailKestrelServerOptionsExtensions.ListenMailEndpoints"/>: HTTPS uses the mail certificate.
    /// </summary>
    /// <exception cref="MailHostConfigurationException">The URL is malformed, or HTTPS has no certificate to use.</exception>
    public static void ListenAdminEndpoint(this KestrelServerOptions kestrel, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        if (AdminHttpSettings.Read(configuration) is not { } settings)
        {
            return;
        }

        var services = kestrel.ApplicationServices;
        var listener = services.GetRequiredService<AdminListener>();
        MailServerCertificate? certificate = null;
        if (settings.Https)
        {
            certificate = services.GetRequiredService<MailServerCertificate>();
            if (certificate.Find(null, null) is null)
            {
                const string Key = AdminHttpSettings.UrlKey;
                throw new MailHostConfigurationException($"{Key}: HTTPS uses the mail certificate, but no mail endpoint with TLS is enabled. Enable one, or use a loopback http:// address behind a TLS proxy.") { Key = Key };
            }
        }

        void Configure(ListenOptions listen)
        {
            if (certificate is not null)
            {
                listen.UseMailCertificate(certificate);
            }

            listener.Set(listen, settings.Https);
        }

        settings.Address.Listen(kestrel, Configure);
    }
}
