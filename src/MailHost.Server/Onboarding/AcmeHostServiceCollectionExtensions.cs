using MailHost.Certificates.Acme;
using MailHost.Hosting;
using MailHost.Server.Onboarding;

// Extension methods live in the namespace of the type they extend.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Turns the ACME client on when <c>MailHost:Certificates:Acme</c> is configured.</summary>
internal static class AcmeHostServiceCollectionExtensions
{
    /// <summary>
    /// Adds the ACME client (<see cref="AcmeServiceCollectionExtensions.AddMailHostAcme"/>) when its section exists, and
    /// checks that the host's HTTP endpoint can answer the configured challenge: HTTP-01 on <c>MailHost:Http:Url</c>,
    /// TLS-ALPN-01 on <c>MailHost:Http:HttpsUrl</c>.
    /// </summary>
    /// <exception cref="MailHostConfigurationException">A setting is missing or unusable; the message names it.</exception>
    public static IServiceCollection AddMailHostAcmeWhenConfigured(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(AcmeOptions.SectionName);
        if (!section.Exists())
        {
            return services;
        }

        services.AddMailHostAcme(configuration);
        var options = new AcmeOptions();
        section.Bind(options);
        var http = OnboardingHttpSettings.Read(configuration);
        const string ChallengeKey = AcmeOptions.SectionName + ":Challenge";
        if (options.Challenge == AcmeChallengeType.Http01 && http.Http is null)
        {
            // RFC 8555 §8.3: the ACME server fetches the answer over plain HTTP on port 80.
            throw new MailHostConfigurationException(
                $"{OnboardingHttpSettings.UrlKey}: is needed to answer the ACME Http01 challenge ({ChallengeKey}). Set it to http://*:80, or choose TlsAlpn01 or Dns01.")
            { Key = OnboardingHttpSettings.UrlKey };
        }

        if (options.Challenge == AcmeChallengeType.TlsAlpn01 && http.Https is null)
        {
            // RFC 8737 §3: the ACME server connects with TLS to port 443.
            throw new MailHostConfigurationException(
                $"{OnboardingHttpSettings.HttpsUrlKey}: is needed to answer the ACME TlsAlpn01 challenge ({ChallengeKey}). Set it to https://*:443, or choose Http01 or Dns01.")
            { Key = OnboardingHttpSettings.HttpsUrlKey };
        }

        return services;
    }
}
