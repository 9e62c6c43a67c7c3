using Microsoft.Extensions.Logging;

namespace MailHost.Storage.Sqlite.Accounts;

/// <summary>Log messages of <see cref="SqliteAccountDirectory"/> (event ids 3100-3199).</summary>
internal static partial class SqliteAccountDirectoryLog
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Information,
        Message = "Account directory {DatabasePath}: applied {Count} migration(s), schema version {FromVersion} -> {ToVersion}")]
    public static partial void MigrationsApplied(ILogger logger, string databasePath, int count, int fromVersion, int toVersion);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Debug,
        Message = "Account directory {DatabasePath}: schema version {Version} is current")]
    public static partial void SchemaCurrent(ILogger logger, string databasePath, int version);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning,
        Message = "Account {AccountName} has a malformed password record and cannot log in until its password is set again")]
    public static partial void MalformedPasswordRecord(ILogger logger, string accountName);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Information, Message = "Account directory changed: {Change}")]
    public static partial void Changed(ILogger logger, string change);
}
