using Microsoft.Extensions.Logging;

namespace MailHost.Connections;

internal static partial class TraceLog
{
    [LoggerMessage(1100, LogLevel.Trace, "{ConnectionId} {Direction}: {Line}")]
    public static partial void Line(ILogger logger, string connectionId, string direction, string line);
}
