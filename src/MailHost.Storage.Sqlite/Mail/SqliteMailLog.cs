using Microsoft.Extensions.Logging;

namespace MailHost.Storage.Sqlite.Mail;

internal static partial class SqliteMailLog
{
    [LoggerMessage(EventId = 3120, Level = LogLevel.Error, Message = "The mail store could not commit a batch of {Count} writes; they were refused.")]
    public static partial void CommitFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 3121, Level = LogLevel.Warning, Message = "Tidy-up after a commit failed; the next start-up check finishes it.")]
    public static partial void AfterCommitFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3122, Level = LogLevel.Information, Message = "Mail store opened at {Path}: schema version {Version} ({Applied} migrations applied).")]
    public static partial void Opened(ILogger logger, string path, int version, int applied);

    [LoggerMessage(EventId = 3123, Level = LogLevel.Warning, Message = "Mail store check: removed {Orphans} orphaned content files and {Temps} unfinished spool files, recomputed {Counters} counters.")]
    public static partial void Repaired(ILogger logger, int orphans, int temps, int counters);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Error, Message = "Mail store check: content file {Address} is missing; messages using it cannot be read.")]
    public static partial void MissingBlob(ILogger logger, string address);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Error, Message = "A mail store write failed unexpectedly.")]
    public static partial void WriteFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3106, Level = LogLevel.Warning, Message = "Full-text indexing of new mail failed; the mail stays searchable and indexing is retried.")]
    public static partial void TextIndexFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3107, Level = LogLevel.Warning, Message = "Releasing expunged messages that no session shows any more failed; it is retried, and the next start-up check finishes it.")]
    public static partial void ReleaseRetainedFailed(ILogger logger, Exception exception);
}
