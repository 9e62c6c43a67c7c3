using Microsoft.Extensions.Logging;

namespace MailHost.Pop3;

/// <summary>POP3 log messages; event ids 4000-4099 are stable.</summary>
internal static partial class Pop3Log
{
    [LoggerMessage(4000, LogLevel.Information, "POP3 login as {Account} ({Mechanism}); {Count} messages, {Size} octets")]
    public static partial void LoggedIn(ILogger logger, string account, string mechanism, int count, long size);

    [LoggerMessage(4001, LogLevel.Information, "POP3 login refused: {Status}")]
    public static partial void LoginFailed(ILogger logger, string status);

    [LoggerMessage(4002, LogLevel.Information, "POP3 session for {Account} removed {Count} messages")]
    public static partial void Updated(ILogger logger, string account, int count);

    [LoggerMessage(4003, LogLevel.Warning, "POP3 update for {Account} failed: {Error}")]
    public static partial void UpdateFailed(ILogger logger, string account, string error);

    [LoggerMessage(4004, LogLevel.Information, "POP3 connection closed: {Reason}")]
    public static partial void Closing(ILogger logger, string reason);

    [LoggerMessage(4005, LogLevel.Warning, "POP3 maildrop of {Account} could not be opened: {Error}")]
    public static partial void MaildropFailed(ILogger logger, string account, string error);

    [LoggerMessage(4006, LogLevel.Error, "POP3 session failed: {Error}")]
    public static partial void SessionFailed(ILogger logger, string error);
}
