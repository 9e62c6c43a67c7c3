using MailHost.Server.Onboarding;

// Extension methods live in the namespace of the type they extend.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers client onboarding (autoconfig, autodiscover, Apple profiles, MTA-STS).</summary>
internal static class OnboardingServiceCollectionExtensions
{
    /// <summary>
    /// Adds what the onboarding routes and listeners use. The MTA-STS policy is read here, so a bad value stops the
    /// start with its key named.
    /// </summary>
    /// <exception cref="MailHost.Hosting.MailHostConfigurationException">An onboarding setting is invalid.</exception>
    public static IServiceCollection AddMailHostOnboarding(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        OnboardingHttpSettings.Read(configuration);
        var hostname = configuration["MailHost:Hostname"] ?? "localhost";
        services.AddSingleton(new OnboardingPolicies(MtaStsPolicy.Read(configuration, hostname)));
        services.AddSingleton<OnboardingListeners>();
        services.AddSingleton<MailServerCertificate>();
        services.AddSingleton<MailClientSettingsSource>();
        return services;
    }
}
