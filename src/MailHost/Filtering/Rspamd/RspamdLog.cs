using Microsoft.Extensions.Logging;

namespace MailHost.Filtering.Rspamd;

/// <summary>The log messages of the rspamd filter and Junk learner (events 5320-5339).</summary>
internal static partial class RspamdLog
{
    [LoggerMessage(5320, LogLevel.Debug, "rspamd judged message {TransactionId}: {Summary}")]
    public static partial void Judged(ILogger logger, string transactionId, string summary);

    [LoggerMessage(5321, LogLevel.Information, "rspamd: message {TransactionId} of {Length} octets is not scanned: bigger than MaxMessageSize {MaxMessageSize}")]
    public static partial void TooBig(ILogger logger, string transactionId, long length, long maxMessageSize);

    [LoggerMessage(5322, LogLevel.Warning, "rspamd answered message {TransactionId} with the unknown action '{Action}'; it is accepted with the X-Spam headers")]
    public static partial void UnknownAction(ILogger logger, string transactionId, string action);

    [LoggerMessage(5323, LogLevel.Information, "rspamd learned a message of {Account} as {Classification}")]
    public static partial void Learned(ILogger logger, string account, string classification);

    [LoggerMessage(5324, LogLevel.Debug, "rspamd had already learned a message of {Account} as {Classification}: {Reason}")]
    public static partial void AlreadyLearned(ILogger logger, string account, string classification, string reason);

    [LoggerMessage(5325, LogLevel.Information, "rspamd did not learn a message of {Account} as {Classification}: {Reason}")]
    public static partial void NotLearned(ILogger logger, string account, string classification, string reason);
}
