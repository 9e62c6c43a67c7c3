using Microsoft.Extensions.Logging;

namespace MailHost.Storage.Postgres.Mail;

/// <summary>The PostgreSQL mail store's log messages.</summary>
internal static partial class PostgresMailLog
{
    [LoggerMessage(EventId = 3140, Level = LogLevel.Information, Message = "PostgreSQL mail store opened: schema version {Version}, {Applied} migrations applied, {Released} retained rows of this host released")]
    public static partial void Opened(ILogger logger, int version, int applied, int released);

    [LoggerMessage(EventId = 3141, Level = LogLevel.Error, Message = "A PostgreSQL mail store write failed")]
    public static partial void WriteFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3142, Level = LogLevel.Warning, Message = "The PostgreSQL change feed lost its connection; reconnecting")]
    public static partial void FeedLost(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3143, Level = LogLevel.Information, Message = "The PostgreSQL change feed reconnected; every waiting view re-reads its mailbox")]
    public static partial void FeedReconnected(ILogger logger);

    [LoggerMessage(EventId = 3144, Level = LogLevel.Warning, Message = "Releasing retained rows failed; retrying later")]
    public static partial void ReleaseFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3145, Level = LogLevel.Warning, Message = "The PostgreSQL mail store check repaired {Counters} counters, removed {Orphans} orphaned contents and found {Missing} missing")]
    public static partial void Repaired(ILogger logger, int counters, int orphans, int missing);
}
