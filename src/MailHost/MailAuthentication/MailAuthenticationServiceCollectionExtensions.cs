using MailHost.Dns;
using MailHost.MailAuthentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

// Extension methods live in the namespace of the type they extend.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers inbound mail authentication.</summary>
public static class MailAuthenticationServiceCollectionExtensions
{
    /// <summary>
    /// Adds the SPF, DKIM and DMARC checks of mail arriving at the MX endpoint and <see cref="MailAuthenticationOptions"/>
    /// (from <c>MailHost:MailAuthentication</c> when <paramref name="configuration"/> is given), with a DNS resolver
    /// over the system's name servers unless an <see cref="IDnsResolver"/> is registered (so the MX endpoint has one
    /// without outbound delivery). <c>AddMailHostSmtp</c> calls this.
    /// </summary>
    public static IServiceCollection AddMailHostMailAuthentication(this IServiceCollection services, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<MailAuthenticationOptions>();
        if (configuration is not null)
        {
            options.Bind(configuration.GetSection(MailAuthenticationOptions.SectionName));
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IDnsResolver, DnsClientResolver>();
        services.TryAddSingleton<MailAuthenticator>();
        return services;
    }
}
