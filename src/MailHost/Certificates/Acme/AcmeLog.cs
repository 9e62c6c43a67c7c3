using Microsoft.Extensions.Logging;

namespace MailHost.Certificates.Acme;

/// <summary>The log messages of the ACME client (events 1220–1239).</summary>
internal static partial class AcmeLog
{
    [LoggerMessage(1220, LogLevel.Information, "ACME certificate {Name} loaded from {Path}: serial {Serial}, expires {NotAfter:u}; renewal due {RenewAt:u}")]
    public static partial void Loaded(ILogger logger, string name, string path, string serial, DateTimeOffset notAfter, DateTimeOffset renewAt);

    [LoggerMessage(1221, LogLevel.Information, "ACME: ordering a certificate for {Names} from {DirectoryUrl}")]
    public static partial void Ordering(ILogger logger, string names, string directoryUrl);

    [LoggerMessage(1222, LogLevel.Information, "ACME: using account {AccountUrl}")]
    public static partial void Account(ILogger logger, string accountUrl);

    [LoggerMessage(1223, LogLevel.Information, "ACME: answering the {ChallengeType} challenge for {Identifier}")]
    public static partial void Answering(ILogger logger, string challengeType, string identifier);

    [LoggerMessage(1224, LogLevel.Information, "ACME: {Identifier} is validated")]
    public static partial void Validated(ILogger logger, string identifier);

    [LoggerMessage(1225, LogLevel.Information, "ACME: every name is validated; finalizing order {OrderUrl}")]
    public static partial void Finalizing(ILogger logger, string orderUrl);

    [LoggerMessage(1226, LogLevel.Information, "ACME certificate {Name} issued for {Names}: serial {Serial}, expires {NotAfter:u}; renewal due {RenewAt:u}")]
    public static partial void Issued(ILogger logger, string name, string names, string serial, DateTimeOffset notAfter, DateTimeOffset renewAt);

    [LoggerMessage(1227, LogLevel.Warning, "ACME order for {Name} failed ({Failures} in a row): {Reason} The certificate in use is kept; next attempt at {RetryAt:u}, in {RetryIn}")]
    public static partial void Failed(ILogger logger, string name, int failures, string reason, DateTimeOffset retryAt, TimeSpan retryIn, Exception? exception);

    [LoggerMessage(1228, LogLevel.Information, "ACME: renewal of {Name} is due (serial {Serial}, expires {NotAfter:u})")]
    public static partial void RenewalDue(ILogger logger, string name, string serial, DateTimeOffset notAfter);

    [LoggerMessage(1229, LogLevel.Warning, "ACME: the stored certificate {Path} is not used ({Reason}); a new one is ordered")]
    public static partial void StoredUnusable(ILogger logger, string path, string reason);

    [LoggerMessage(1230, LogLevel.Debug, "ACME: {Url} refused the nonce (badNonce); retrying with a fresh one (retry {Attempt})")]
    public static partial void BadNonce(ILogger logger, string url, int attempt);

    [LoggerMessage(1231, LogLevel.Information, "ACME DNS hook {Script} {Action} {Record}: done")]
    public static partial void DnsHookRan(ILogger logger, string script, string action, string record);

    [LoggerMessage(1232, LogLevel.Warning, "ACME DNS hook {Script} {Action} {Record} exited with {ExitCode}: {StandardError}")]
    public static partial void DnsHookFailed(ILogger logger, string script, string action, string record, int exitCode, string standardError);

    [LoggerMessage(1233, LogLevel.Warning, "ACME: removing the answer to the challenge for {Identifier} failed")]
    public static partial void CleanupFailed(ILogger logger, string identifier, Exception exception);

    [LoggerMessage(1234, LogLevel.Information, "ACME: {Identifier} is already validated for this account")]
    public static partial void AlreadyValid(ILogger logger, string identifier);
}
