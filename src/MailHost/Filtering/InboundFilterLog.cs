using Microsoft.Extensions.Logging;

namespace MailHost.Filtering;

/// <summary>Log messages of the filter pipeline and the Junk training queue; event ids 5300-5319 and 5380-5399 are stable.</summary>
internal static partial class InboundFilterLog
{
    [LoggerMessage(5300, LogLevel.Information, "Filter {Filter} at {Stage}: {Action} ({Summary})")]
    public static partial void Verdict(ILogger logger, string filter, InboundFilterStage stage, InboundFilterAction action, string summary);

    [LoggerMessage(5301, LogLevel.Warning, "Filter {Filter} at {Stage} could not judge ({Reason}); its policy: {Policy}")]
    public static partial void Failed(ILogger logger, string filter, InboundFilterStage stage, string reason, InboundFilterFailurePolicy policy, Exception? exception);

    [LoggerMessage(5302, LogLevel.Information, "Inbound filters: {Filters}")]
    public static partial void Configured(ILogger logger, string filters);

    [LoggerMessage(5303, LogLevel.Information, "SMTP message {Id} {Disposition} by the filters ({Summaries})")]
    public static partial void Disposed(ILogger logger, string id, string disposition, string summaries);

    [LoggerMessage(5380, LogLevel.Information, "Junk training: {Count} message(s) of {Account} queued as {Classification}")]
    public static partial void TrainingQueued(ILogger logger, int count, string account, JunkClassification classification);

    [LoggerMessage(5381, LogLevel.Warning, "Junk training queue full: {Count} message(s) of {Account} not learned")]
    public static partial void TrainingDropped(ILogger logger, int count, string account);

    [LoggerMessage(5382, LogLevel.Warning, "Junk training by {Learner} failed for a message of {Account}")]
    public static partial void LearnFailed(ILogger logger, string learner, string account, Exception exception);

    [LoggerMessage(5383, LogLevel.Debug, "Junk training by {Learner}: a message of {Account} learned as {Classification}")]
    public static partial void Learned(ILogger logger, string learner, string account, JunkClassification classification);

    [LoggerMessage(5384, LogLevel.Warning, "Junk training could not read messages of {Account} in {Mailbox}: {Error}")]
    public static partial void TrainingReadFailed(ILogger logger, string account, string mailbox, string error);
}
