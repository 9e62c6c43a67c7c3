using Microsoft.Extensions.Logging;

namespace MailHost.Logins;

/// <summary>The log lines of every attempt (event ids 1101-1199).</summary>
internal sealed partial class CredentialVerifier
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1101, Level = LogLevel.Information,
            Message = "Login '{Login}' authenticated as '{Account}' ({Protocol} {Mechanism}) from {RemoteEndPoint}, TLS {Tls}")]
        public static partial void Succeeded(ILogger logger, string login, string account, string protocol, string mechanism,
            System.Net.IPEndPoint? remoteEndPoint, bool tls);

        [LoggerMessage(EventId = 1102, Level = LogLevel.Information,
            Message = "Login '{Login}' failed ({Protocol} {Mechanism}) from {RemoteEndPoint}; account '{Account}', delay {DelaySeconds}s")]
        public static partial void Failed(ILogger logger, string login, string? account, string protocol, string mechanism,
            System.Net.IPEndPoint? remoteEndPoint, double delaySeconds);

        [LoggerMessage(EventId = 1103, Level = LogLevel.Information,
            Message = "Login '{Login}' sent an empty password ({Protocol} {Mechanism}) from {RemoteEndPoint}")]
        public static partial void EmptyPassword(ILogger logger, string login, string protocol, string mechanism, System.Net.IPEndPoint? remoteEndPoint);

        [LoggerMessage(EventId = 1104, Level = LogLevel.Warning,
            Message = "Login '{Login}' refused while blocked ({Protocol} {Mechanism}) from {RemoteEndPoint}")]
        public static partial void Throttled(ILogger logger, string login, string protocol, string mechanism, System.Net.IPEndPoint? remoteEndPoint);

        [LoggerMessage(EventId = 1105, Level = LogLevel.Information,
            Message = "Login '{Login}' asked to act as another identity ({Protocol} {Mechanism}) from {RemoteEndPoint}; refused")]
        public static partial void AuthorizationDenied(ILogger logger, string login, string protocol, string mechanism, System.Net.IPEndPoint? remoteEndPoint);

        [LoggerMessage(EventId = 1106, Level = LogLevel.Information,
            Message = "Login '{Login}' has the right credentials but account '{Account}' is disabled ({Protocol} {Mechanism}) from {RemoteEndPoint}")]
        public static partial void Disabled(ILogger logger, string login, string account, string protocol, string mechanism, System.Net.IPEndPoint? remoteEndPoint);

        [LoggerMessage(EventId = 1108, Level = LogLevel.Warning,
            Message = "Login '{Login}' is blocked after {Failures} failures from {Addresses} addresses (64 means 64 or more), but authenticated ({Protocol} {Mechanism}) from {RemoteEndPoint}, which has no failures of its own: let in after the longest delay")]
        public static partial void SucceededWhileBlocked(ILogger logger, string login, string protocol, string mechanism,
            System.Net.IPEndPoint? remoteEndPoint, int failures, int addresses);

        [LoggerMessage(EventId = 1109, Level = LogLevel.Information,
            Message = "Password record of account '{Account}' re-derived from {OldIterations} to {NewIterations} PBKDF2 iterations")]
        public static partial void Upgraded(ILogger logger, string account, int oldIterations, int newIterations);

        [LoggerMessage(EventId = 1110, Level = LogLevel.Warning,
            Message = "Password record of account '{Account}' could not be re-derived with the configured iteration count; the login went ahead and the next one tries again")]
        public static partial void UpgradeFailed(ILogger logger, Exception exception, string account);
    }
}
