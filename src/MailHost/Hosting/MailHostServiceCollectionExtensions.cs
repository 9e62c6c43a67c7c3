using MailHost.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MailHost.Hosting;

/// <summary>Registers MailHost's shared services.</summary>
public static class MailHostServiceCollectionExtensions
{
    /// <summary>
    /// Adds the services every mail endpoint uses: options from the <c>MailHost</c> section of
    /// <paramref name="configuration"/> (if given; <c>MailHost:Auth</c> for <see cref="AuthenticationOptions"/>),
    /// authentication (the login throttle, the password and SASL checks, and the built-in
    /// <see cref="DirectoryAuthIdentityResolver"/>), the certificate provider and <see cref="TimeProvider"/>. An
    /// <see cref="Accounts.IAccountDirectory"/> comes from a store.
    /// </summary>
    /// <remarks>
    /// A list in configuration (<c>Auth:Mechanisms</c>, <c>Auth:Throttle:Delays</c>) replaces the default list. The
    /// built-in resolver is added with TryAdd, so an application's own <see cref="IAuthIdentityResolver"/> wins either
    /// way: registered before this call, it is kept; registered after it, it is the last registration, which is the one
    /// resolved. Register it as a singleton (or transient).
    /// </remarks>
    public static IServiceCollection AddMailHost(this IServiceCollection services, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<MailHostOptions>();
        if (configuration is not null)
        {
            options.Bind(configuration.GetSection(MailHostOptions.SectionName));
            services.AddOptions<AuthenticationOptions>().Configure(auth =>
            {
                var section = configuration.GetSection(AuthenticationOptions.SectionName);
                if (section.GetSection(nameof(AuthenticationOptions.Mechanisms)).GetChildren().Any())
                {
                    auth.Mechanisms.Clear();
                }

                if (section.GetSection("Throttle:Delays").GetChildren().Any())
                {
                    auth.Throttle.Delays.Clear();
                }

                section.Bind(auth);
            });
        }

        services.AddMailHostAuthentication();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<MailCertificateProvider>();
        services.TryAddSingleton<MailListenerRegistry>();
        return services;
    }
}
