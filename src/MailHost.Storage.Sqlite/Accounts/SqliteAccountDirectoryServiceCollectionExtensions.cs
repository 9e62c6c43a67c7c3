using MailHost.Accounts;
using MailHost.Storage;
using MailHost.Accounts.Sql;
using MailHost.Storage.Sqlite.Accounts;
using Microsoft.Extensions.Logging;

// Extension methods live in the namespace of the type they extend, so they are found without an extra using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the embedded SQLite account directory.</summary>
public static class SqliteAccountDirectoryServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="SqliteAccountDirectory"/> over <paramref name="databasePath"/> as a singleton, and
    /// as the <see cref="IAccountDirectory"/>, <see cref="IAccountAdministration"/> and
    /// <see cref="IAdministrationDirectory"/> services. The schema is
    /// created or upgraded on first use; call <see cref="SqlAccountDirectory.InitializeAsync"/> at start-up to
    /// surface a bad database early. Uses the container's <see cref="TimeProvider"/> when one is registered, and its
    /// <see cref="IMailStore"/> as the store of the accounts' mail: account removals a crash interrupted are finished
    /// when the host starts.
    /// </summary>
    public static IServiceCollection AddSqliteAccountDirectory(this IServiceCollection services, string databasePath)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        return services.AddSqlAccountDirectory(provider => new SqliteAccountDirectory(
            databasePath,
            provider.GetService<ILoggerFactory>()?.CreateLogger<SqliteAccountDirectory>(),
            provider.GetService<TimeProvider>(),
            provider.GetService<IMailStore>()));
    }
}
