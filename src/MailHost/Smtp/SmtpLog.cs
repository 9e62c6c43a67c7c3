using Microsoft.Extensions.Logging;

namespace MailHost.Smtp;

/// <summary>SMTP log messages; event ids 5000-5099 are stable.</summary>
internal static partial class SmtpLog
{
    [LoggerMessage(5000, LogLevel.Information, "SMTP login as {Account} ({Mechanism})")]
    public static partial void LoggedIn(ILogger logger, string account, string mechanism);

    [LoggerMessage(5001, LogLevel.Information, "SMTP login refused: {Status}")]
    public static partial void LoginFailed(ILogger logger, string status);

    [LoggerMessage(5002, LogLevel.Information, "SMTP message {Id} accepted: {Size} octets for {Local} local and {External} external recipients")]
    public static partial void Accepted(ILogger logger, string id, long size, int local, int external);

    [LoggerMessage(5003, LogLevel.Information, "SMTP message {Id} refused: {Reply}")]
    public static partial void Refused(ILogger logger, string id, string reply);

    [LoggerMessage(5004, LogLevel.Warning, "SMTP message {Id} could not be stored: {Error}")]
    public static partial void StoreFailed(ILogger logger, string id, string error);

    [LoggerMessage(5005, LogLevel.Error, "SMTP message {Id}: the store failed")]
    public static partial void StoreException(ILogger logger, string id, Exception exception);

    [LoggerMessage(5006, LogLevel.Information, "SMTP connection closed: {Reason}")]
    public static partial void Closing(ILogger logger, string reason);

    [LoggerMessage(5007, LogLevel.Information, "SMTP recipient refused: {Reason}")]
    public static partial void RecipientRefused(ILogger logger, string reason);

    [LoggerMessage(5008, LogLevel.Warning, "SMTP spool write failed for message {Id}")]
    public static partial void SpoolFailed(ILogger logger, string id, Exception exception);

    [LoggerMessage(5009, LogLevel.Warning, "SMTP message {Id} from {Account} refused: its {Field} field is not the account's own ({Detail})")]
    public static partial void AuthorRefused(ILogger logger, string id, string account, string field, string detail);

    [LoggerMessage(5011, LogLevel.Error, "SMTP command {Command} failed: {Error}")]
    public static partial void CommandFailed(ILogger logger, string command, string error);

    [LoggerMessage(5010, LogLevel.Warning, "Submission lets accounts send as addresses that are not theirs (MailHost:Smtp:RequireOwnAddressInMailFrom={MailFrom}, RequireOwnAddressInHeaderFrom={HeaderFrom}); outbound mail is still DKIM-signed only for domains of the submitter's addresses")]
    public static partial void SenderChecksOff(ILogger logger, bool mailFrom, bool headerFrom);
}
