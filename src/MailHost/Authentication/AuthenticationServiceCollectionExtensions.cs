using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MailHost.Authentication;

/// <summary>Registers MailHost's authentication services.</summary>
internal static class AuthenticationServiceCollectionExtensions
{
    /// <summary>
    /// Adds the resolver, the throttle, <see cref="PasswordAuthenticator"/> and <see cref="SaslAuthenticator"/> (all
    /// singletons), <see cref="TimeProvider.System"/> if no <see cref="TimeProvider"/> is registered, and
    /// <c>IOptions&lt;AuthenticationOptions&gt;</c>. Safe to call more than once. An
    /// <see cref="Accounts.IAccountDirectory"/> must be registered separately (by a store).
    /// </summary>
    /// <remarks>
    /// The built-in <see cref="DirectoryAuthIdentityResolver"/> is added with TryAdd, so an application's own
    /// <see cref="IAuthIdentityResolver"/> wins either way: registered before this call, it is kept; registered after
    /// it, it is the last registration, which is the one resolved. Register it as a singleton (or transient).
    /// </remarks>
    public static IServiceCollection AddMailHostAuthentication(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<AuthenticationOptions>();
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IAuthIdentityResolver, DirectoryAuthIdentityResolver>();
        services.TryAddSingleton<AuthenticationThrottle>();
        services.TryAddSingleton<PasswordAuthenticator>();
        services.TryAddSingleton<SaslAuthenticator>();
        return services;
    }
}
