using Microsoft.Extensions.Logging;

namespace MailHost.Imap;

/// <summary>IMAP log messages; event ids 3000-3099 are stable.</summary>
internal static partial class ImapLog
{
    [LoggerMessage(3000, LogLevel.Information, "IMAP login as {Account} ({Mechanism})")]
    public static partial void LoggedIn(ILogger logger, string account, string mechanism);

    [LoggerMessage(3006, LogLevel.Information, "IMAP login refused: {Status}")]
    public static partial void LoginFailed(ILogger logger, string status);

    [LoggerMessage(3007, LogLevel.Information, "IMAP connection closed: {Reason}")]
    public static partial void Closing(ILogger logger, string reason);

    [LoggerMessage(3008, LogLevel.Information, "IMAP client identified itself as {ClientName}")]
    public static partial void ClientIdentified(ILogger logger, string clientName);

    [LoggerMessage(3004, LogLevel.Warning, "IMAP account {Account} could not be opened: {Error}")]
    public static partial void AccountFailed(ILogger logger, string account, string error);

    [LoggerMessage(3005, LogLevel.Warning, "IMAP store operation failed: {Code} {Error}")]
    public static partial void StoreFailed(ILogger logger, string code, string error);
}
