using MailHost.Accounts;
using MailHost.Accounts.Sql;

// Extension methods live in the namespace of the type they extend, so they are found without an extra using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers an account directory on a relational database.</summary>
public static class SqlAccountDirectoryServiceCollectionExtensions
{
    /// <summary>
    /// Registers one directory made by <paramref name="create"/> as a singleton of its own type and as the
    /// <see cref="IAccountDirectory"/>, <see cref="IAccountAdministration"/>, <see cref="IAdministrationDirectory"/> and
    /// <see cref="IAppPasswordAdministration"/> services, and finishes the account
    /// removals a crash interrupted when the host starts.
    /// </summary>
    public static IServiceCollection AddSqlAccountDirectory<TDirectory>(this IServiceCollection services, Func<IServiceProvider, TDirectory> create)
        where TDirectory : SqlAccountDirectory
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(create);
        services.AddSingleton(create);
        services.AddSingleton<SqlAccountDirectory>(provider => provider.GetRequiredService<TDirectory>());
        services.AddHostedService<PendingAccountRemovals>();
        services.AddSingleton<IAccountDirectory>(provider => provider.GetRequiredService<TDirectory>());
        services.AddSingleton<IAccountAdministration>(provider => provider.GetRequiredService<TDirectory>());
        services.AddSingleton<IAdministrationDirectory>(provider => provider.GetRequiredService<TDirectory>());
        services.AddSingleton<IAppPasswordAdministration>(provider => provider.GetRequiredService<TDirectory>());
        return services;
    }
}
