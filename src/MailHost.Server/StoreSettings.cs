using MailHost.Hosting;
using Npgsql;

namespace MailHost.Server;

/// <summary>The database the host keeps its accounts, mail and queue in.</summary>
internal enum StoreProvider
{
    /// <summary>SQLite files in the data directory: one host, no other service (the default).</summary>
    Sqlite,

    /// <summary>A PostgreSQL database shared by every host of a site.</summary>
    Postgres,
}

/// <summary>
/// Which store the host runs on: <c>MailHost:Store:Provider</c> (<c>Sqlite</c>, the default, or <c>Postgres</c>) and,
/// for PostgreSQL, the connection string <c>ConnectionStrings:MailHost</c>. A wrong value stops the start with the key
/// named.
/// </summary>
internal sealed record StoreSettings(StoreProvider Provider, string? ConnectionString, string? InstanceId = null)
{
    public const string ProviderKey = "MailHost:Store:Provider";
    public const string BusyTimeoutKey = "MailHost:Store:BusyTimeout";
    public const string InstanceIdKey = "MailHost:Store:InstanceId";
    public const string ConnectionStringKey = "ConnectionStrings:MailHost";

    /// <summary>Reads and checks the settings.</summary>
    /// <exception cref="MailHostConfigurationException">A value is missing or wrong; its key is named.</exception>
    public static StoreSettings Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var text = configuration[ProviderKey]?.Trim();
        if (string.IsNullOrEmpty(text) || string.Equals(text, nameof(StoreProvider.Sqlite), StringComparison.OrdinalIgnoreCase))
        {
            return new StoreSettings(StoreProvider.Sqlite, null) { BusyTimeout = ReadBusyTimeout(configuration) };
        }

        if (!string.Equals(text, nameof(StoreProvider.Postgres), StringComparison.OrdinalIgnoreCase)
            && !string.Equals(text, "PostgreSQL", StringComparison.OrdinalIgnoreCase))
        {
            throw new MailHostConfigurationException($"{ProviderKey}: '{text}' is not a store; use Sqlite (the default) or Postgres.") { Key = ProviderKey };
        }

        var connectionString = configuration[ConnectionStringKey];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new MailHostConfigurationException(
                $"{ConnectionStringKey}: the PostgreSQL store needs a connection string, for example \"Host=db.example.net;Database=mailhost;Username=mailhost;Password=...\".")
            { Key = ConnectionStringKey };
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            // The message names the offending keyword, never the password.
            throw new MailHostConfigurationException($"{ConnectionStringKey}: not a valid PostgreSQL connection string ({ex.Message}).", ex) { Key = ConnectionStringKey };
        }

        var instance = configuration[InstanceIdKey]?.Trim();
        return new StoreSettings(StoreProvider.Postgres, connectionString, string.IsNullOrEmpty(instance) ? null : instance);
    }

    /// <summary>
    /// SQLite only: how long a write waits for a lock another process holds on <c>mail.db</c> before clients get a
    /// temporary error (<c>MailHost:Store:BusyTimeout</c>, a time span such as <c>00:00:30</c>, the default).
    /// </summary>
    public TimeSpan? BusyTimeout { get; init; }

    private static TimeSpan? ReadBusyTimeout(IConfiguration configuration)
    {
        var text = configuration[BusyTimeoutKey]?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (!TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var timeout) || timeout < TimeSpan.FromSeconds(1) || timeout > TimeSpan.FromMinutes(10))
        {
            throw new MailHostConfigurationException($"{BusyTimeoutKey}: '{text}' is not a time span from 00:00:01 to 00:10:00.") { Key = BusyTimeoutKey };
        }

        return timeout;
    }
}
