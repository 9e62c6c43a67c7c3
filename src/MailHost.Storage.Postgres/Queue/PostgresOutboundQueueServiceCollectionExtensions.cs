using MailHost.Delivery.Queue;
using MailHost.Dkim;
using MailHost.Storage.Postgres.Queue;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the PostgreSQL outbound queue.</summary>
public static class PostgresOutboundQueueServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="PostgresOutboundQueueStore"/> as the <see cref="IOutboundQueueStore"/> on the database of
    /// <paramref name="connectionString"/>, and <see cref="PostgresDkimKeyStore"/> on the same connections as the
    /// <see cref="IDkimKeyStore"/> (unless one is registered). Every host of a site registers the same database.
    /// </summary>
    public static IServiceCollection AddPostgresOutboundQueue(this IServiceCollection services, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new PostgresOutboundQueueStore(connectionString, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IOutboundQueueStore>(sp => sp.GetRequiredService<PostgresOutboundQueueStore>());
        services.TryAddSingleton<IDkimKeyStore>(sp => new PostgresDkimKeyStore(sp.GetRequiredService<PostgresOutboundQueueStore>()));
        return services;
    }
}
