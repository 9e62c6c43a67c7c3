using MailHost.Certificates.Acme;
using MailHost.Hosting;
using MailHost.Server.Onboarding;
using Microsoft.AspNetCore.Server.Kestrel.Core;

// Beside Kestrel's own ListenOptions extensions and ListenMailEndpoints.
namespace Microsoft.AspNetCore.Hosting;

/// <summary>Adds the onboarding HTTP listeners next to the mail listeners.</summary>
internal static class OnboardingKestrelServerOptionsExtensions
{
    /// <summary>
    /// Listens on <c>MailHost:Http:Url</c> and <c>MailHost:Http:HttpsUrl</c> when they are set; does nothing
    /// otherwise. Call after <see cref="MailKestrelServerOptionsExtensions.ListenMailEndpoints"/>: HTTPS uses the
    /// certificate of the TLS mail endpoints, so at least one must be enabled.
    /// </summary>
    /// <exception cref="MailHostConfigurationException">A URL is malformed, or HTTPS has no certificate to use.</exception>
    public static void ListenOnboardingEndpoints(this KestrelServerOptions kestrel, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        var settings = OnboardingHttpSettings.Read(configuration);
        var services = kestrel.ApplicationServices;
        var listeners = services.GetRequiredService<OnboardingListeners>();
        if (settings.Http is { } http)
        {
            http.Listen(kestrel, listen => listeners.Add(listen, https: false));
        }

        if (settings.Https is { } https)
        {
            var certificate = services.GetRequiredService<MailServerCertificate>();
            if (certificate.Find(null, null) is null)
            {
                const string Key = OnboardingHttpSettings.HttpsUrlKey;
                throw new MailHostConfigurationException($"{Key}: HTTPS uses the mail certificate, but no mail endpoint with TLS is enabled. Enable one, or use {OnboardingHttpSettings.UrlKey} behind a TLS proxy.") { Key = Key };
            }

            var acme = services.GetService<AcmeChallengeResponses>();
            https.Listen(kestrel, listen =>
            {
                if (acme is not null)
                {
                    // The ACME client is on: this listener may have to answer TLS-ALPN-01 (RFC 8737).
                    listen.UseHttpsAnsweringTlsAlpn01(certificate, acme);
                }
                else
                {
                    listen.UseMailCertificate(certificate);
                }

                listeners.Add(listen, https: true);
            });
        }
    }
}
