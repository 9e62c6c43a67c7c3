using Microsoft.Extensions.Logging;

namespace MailHost.Sessions;

/// <summary>The log of a graceful stop; each session logs its own end under its protocol.</summary>
internal static partial class MailShutdownLog
{
    [LoggerMessage(1050, LogLevel.Information, "Stopping: idle mail sessions are closed now; transfers in progress have {TimeoutSeconds} s to finish")]
    public static partial void Stopping(ILogger logger, double timeoutSeconds);

    [LoggerMessage(1051, LogLevel.Information, "Stopped after {ElapsedMs} ms: {Idle} idle sessions closed, {Finished} transfers finished and acknowledged, {Cut} cut unacknowledged at the deadline")]
    public static partial void Stopped(ILogger logger, long elapsedMs, int idle, int finished, int cut);

    [LoggerMessage(1052, LogLevel.Warning, "HostOptions.ShutdownTimeout ({HostSeconds} s) is shorter than MailHost:ShutdownTimeout ({MailSeconds} s): the host may abort transfers before their deadline")]
    public static partial void HostTimeoutTooShort(ILogger logger, double hostSeconds, double mailSeconds);
}
