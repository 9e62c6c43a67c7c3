using MailHost.Storage;
using MailHost.Storage.Sqlite.Mail;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the embedded SQLite message store.</summary>
public static class SqliteMailStoreServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="SqliteMailStore"/> as the <see cref="IMailStore"/>, with its database at
    /// <c>&lt;dataDirectory&gt;/mail.db</c> and content files under <c>&lt;dataDirectory&gt;/blobs/</c>. The store
    /// opens and checks itself when the host starts.
    /// </summary>
    public static IServiceCollection AddSqliteMailStore(this IServiceCollection services, string dataDirectory, Action<SqliteMailStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        var options = new SqliteMailStoreOptions { DataDirectory = dataDirectory };
        configure?.Invoke(options);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new SqliteMailStore(
            options,
            sp.GetService<Microsoft.Extensions.Logging.ILogger<SqliteMailStore>>(),
            sp.GetService<TimeProvider>()));
        services.TryAddSingleton<IMailStore>(sp => sp.GetRequiredService<SqliteMailStore>());
        services.AddHostedService<SqliteMailStoreStartup>();
        return services;
    }
}
