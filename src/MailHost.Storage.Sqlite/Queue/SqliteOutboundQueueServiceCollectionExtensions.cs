using MailHost.Delivery.Queue;
using MailHost.Dkim;
using MailHost.Storage.Sqlite.Queue;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the SQLite outbound queue.</summary>
public static class SqliteOutboundQueueServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="SqliteOutboundQueueStore"/> as the <see cref="IOutboundQueueStore"/>, with its rows in
    /// <c>&lt;dataDirectory&gt;/queue.db</c> and content files under <c>&lt;dataDirectory&gt;/queue/</c>, and
    /// <see cref="SqliteDkimKeyStore"/> over the same database as the <see cref="IDkimKeyStore"/> (unless one is registered).
    /// </summary>
    public static IServiceCollection AddSqliteOutboundQueue(this IServiceCollection services, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new SqliteOutboundQueueStore(dataDirectory, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IOutboundQueueStore>(sp => sp.GetRequiredService<SqliteOutboundQueueStore>());
        services.TryAddSingleton<IDkimKeyStore>(sp => new SqliteDkimKeyStore(sp.GetRequiredService<SqliteOutboundQueueStore>()));
        return services;
    }
}
