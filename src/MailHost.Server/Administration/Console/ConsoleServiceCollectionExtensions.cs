using MailHost.Server.Administration.Console;
using Microsoft.Extensions.DependencyInjection.Extensions;

// Extension methods live in the namespace of the type they extend.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers what the web console needs beyond the administration services.</summary>
internal static class ConsoleServiceCollectionExtensions
{
    /// <summary>
    /// Adds the dashboard's meter listener, started with the host so its totals cover the whole run. Adding it twice
    /// changes nothing.
    /// </summary>
    public static IServiceCollection AddMailHostAdminConsole(this IServiceCollection services)
    {
        services.TryAddSingleton<DashboardCounters>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DashboardCounters>(sp => sp.GetRequiredService<DashboardCounters>()));
        return services;
    }
}
