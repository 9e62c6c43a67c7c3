using MailHost.Certificates;
using MailHost.Hosting;
using MailHost.Logins;
using MailHost.Sessions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

// Extension methods live in the namespace of the type they extend.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers MailHost's shared services.</summary>
public static class MailHostServiceCollectionExtensions
{
    /// <summary>
    /// Adds the services every mail endpoint uses: options from the <c>MailHost</c> section of
    /// <paramref name="configuration"/> (if given; <c>MailHost:Auth</c> for <see cref="AuthenticationOptions"/>),
    /// authentication (the login throttle, the password and SASL checks, and the built-in
    /// <see cref="DirectoryAuthIdentityResolver"/>), the server certificates (<see cref="IServerCertificateRegistry"/>,
    /// filled from <c>MailHost:Certificate</c> and <c>MailHost:Certificates</c> and reloaded when their files change) and
    /// <see cref="TimeProvider"/>. An
    /// <see cref="MailHost.Accounts.IAccountDirectory"/> comes from a store.
    /// </summary>
    /// <remarks>
    /// A list in configuration (<c>Auth:Mechanisms</c>, <c>Auth:Throttle:Delays</c>) replaces the default list. The
    /// built-in resolver is added with TryAdd, so an application's own <see cref="IAuthIdentityResolver"/> wins either
    /// way: registered before this call, it is kept; registered after it, it is the last registration, which is the one
    /// resolved. Register it as a singleton (or transient).
    /// <para>
    /// Graceful stop (<see cref="MailHostOptions.ShutdownTimeout"/>): the host's <see cref="HostOptions.ShutdownTimeout"/>
    /// is raised to the mail deadline plus 5 s when it is still .NET's default, so the host does not abort connections
    /// before transfers in progress had their time; a value the application set itself is kept.
    /// </para>
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
        services.TryAddSingleton<ServerCertificateStore>();
        services.TryAddSingleton<IServerCertificateRegistry>(provider => provider.GetRequiredService<ServerCertificateStore>());
        services.TryAddSingleton<ConfiguredCertificateFiles>();
        services.AddHostedService<CertificateReloadService>();
        services.TryAddSingleton<MailListenerRegistry>();
        services.AddMailShutdown();
        return services;
    }

    /// <summary>The graceful stop every protocol's sessions share (<see cref="MailShutdown"/>); adding it twice adds it once.</summary>
    internal static IServiceCollection AddMailShutdown(this IServiceCollection services)
    {
        services.AddOptions<MailHostOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<MailShutdown>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<HostOptions>, HostShutdownTimeoutSetup>());
        return services;
    }
}
