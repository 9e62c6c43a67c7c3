using Microsoft.Extensions.Logging;

namespace MailHost.Accounts.Sql;

/// <summary>Log messages of <see cref="SqlAccountDirectory"/> (event ids 3100-3199).</summary>
internal static partial class AccountDirectoryLog
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Information,
        Message = "Account directory {Database}: applied {Count} migration(s), schema version {FromVersion} -> {ToVersion}")]
    public static partial void MigrationsApplied(ILogger logger, string database, int count, int fromVersion, int toVersion);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Debug,
        Message = "Account directory {Database}: schema version {Version} is current")]
    public static partial void SchemaCurrent(ILogger logger, string database, int version);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning,
        Message = "Account {AccountName} has a malformed password record and cannot log in until its password is set again")]
    public static partial void MalformedPasswordRecord(ILogger logger, string accountName);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Information, Message = "Account directory changed: {Change}")]
    public static partial void Changed(ILogger logger, string change);

    [LoggerMessage(EventId = 3111, Level = LogLevel.Warning,
        Message = "Finished the interrupted removal of account {AccountName}: its mail is deleted")]
    public static partial void RemovalFinished(ILogger logger, string accountName);

    [LoggerMessage(EventId = 3112, Level = LogLevel.Error,
        Message = "The removal of account {AccountName} is still unfinished: its mail could not be deleted ({Reason}); the name cannot be used until it is")]
    public static partial void RemovalStillPending(ILogger logger, string accountName, string reason);

    [LoggerMessage(EventId = 3113, Level = LogLevel.Warning,
        Message = "Account {AccountName} is new, but the mail store held mail under that name (from a removed account); it was deleted so the new account starts empty")]
    public static partial void LeftoverMailDeleted(ILogger logger, string accountName);

    // The name and creator are operator input: structured values, never formatted into the message template.
    [LoggerMessage(EventId = 3114, Level = LogLevel.Information, Message = "API key {KeyId} ({KeyName}, {Scope}) created by {CreatedBy}")]
    public static partial void ApiKeyCreated(ILogger logger, string keyId, string keyName, ApiKeyScope scope, string createdBy);

    [LoggerMessage(EventId = 3115, Level = LogLevel.Information, Message = "API key {KeyId} revoked")]
    public static partial void ApiKeyRevoked(ILogger logger, string keyId);

    // The name is operator input: a structured value, never formatted into the message template. The secret is never logged.
    [LoggerMessage(EventId = 3116, Level = LogLevel.Information, Message = "App password {AppPasswordId} ({AppPasswordName}) created for account {AccountName}")]
    public static partial void AppPasswordCreated(ILogger logger, string appPasswordId, string appPasswordName, string accountName);

    [LoggerMessage(EventId = 3117, Level = LogLevel.Information, Message = "App password {AppPasswordId} of account {AccountName} revoked")]
    public static partial void AppPasswordRevoked(ILogger logger, string appPasswordId, string accountName);

    [LoggerMessage(EventId = 3118, Level = LogLevel.Warning,
        Message = "App password {AppPasswordId} of account {AccountName} has a malformed stored record or network list; it is refused until it is revoked and made again")]
    public static partial void MalformedAppPassword(ILogger logger, string appPasswordId, string accountName);
}
