using MailHost.Accounts.Sql;
using MailHost.Storage;
using MailHost.Storage.Postgres.Accounts;
using MailHost.Storage.Postgres.Mail;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

// Extension methods live in the namespace of the type they extend, so they are found without an extra using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the PostgreSQL mail store and account directory, shared by every host of a site.</summary>
public static class PostgresStoreServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="PostgresMailStore"/> as the <see cref="IMailStore"/> on the database of
    /// <paramref name="connectionString"/>, and the POP3 maildrop lock held in that database for every host
    /// (<see cref="IMaildropLocks"/>); the store opens (migrates, listens for changes) when the host starts.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="connectionString">The Npgsql connection string of the shared database.</param>
    /// <param name="configure">Changes the options (limits, quota, this host's <see cref="PostgresMailStoreOptions.InstanceId"/>).</param>
    public static IServiceCollection AddPostgresMailStore(
        this IServiceCollection services, string connectionString, Func<PostgresMailStoreOptions, PostgresMailStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        var options = new PostgresMailStoreOptions { ConnectionString = connectionString };
        options = configure?.Invoke(options) ?? options;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new PostgresMailStore(options, sp.GetService<ILogger<PostgresMailStore>>(), sp.GetService<TimeProvider>()));
        services.TryAddSingleton<IMailStore>(sp => sp.GetRequiredService<PostgresMailStore>());
        services.AddHostedService<PostgresMailStoreStartup>();

        // POP3's maildrop lock (RFC 1939 §8) must hold across hosts; registered before POP3 adds its in-process one.
        services.TryAddSingleton<IMaildropLocks>(_ => new PostgresMaildropLocks(connectionString));
        return services;
    }

    /// <summary>
    /// Adds <see cref="PostgresAccountDirectory"/> as the <see cref="SqlAccountDirectory"/>, the
    /// account directory and its administration, on the database of <paramref name="connectionString"/>, with the
    /// container's <see cref="IMailStore"/> as the store of the accounts' mail.
    /// </summary>
    public static IServiceCollection AddPostgresAccountDirectory(this IServiceCollection services, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        return services.AddSqlAccountDirectory(provider => new PostgresAccountDirectory(
            connectionString,
            provider.GetService<ILoggerFactory>()?.CreateLogger<PostgresAccountDirectory>(),
            provider.GetService<TimeProvider>(),
            provider.GetService<IMailStore>()));
    }
}
