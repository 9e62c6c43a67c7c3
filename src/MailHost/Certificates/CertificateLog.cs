using Microsoft.Extensions.Logging;

namespace MailHost.Certificates;

/// <summary>The log messages of server certificates (events 1203–1207; 1200–1202 are the self-signed certificate's).</summary>
internal static partial class CertificateLog
{
    [LoggerMessage(1203, LogLevel.Information, "Serving certificate {Name} from {Origin}: {Subject}, names {Names}, thumbprint {Thumbprint}, expires {NotAfter:u}")]
    public static partial void Serving(ILogger logger, string name, string origin, string subject, string names, string thumbprint, DateTimeOffset notAfter);

    [LoggerMessage(1204, LogLevel.Warning, "The certificate {Name} at {Path} was not loaded, the certificate in use is kept: {Reason}")]
    public static partial void NotLoaded(ILogger logger, string name, string path, string reason);

    [LoggerMessage(1205, LogLevel.Warning, "The certificate {Name} ({Subject}, thumbprint {Thumbprint}) expires {NotAfter:u}, in {DaysLeft:0.#} days; renew it")]
    public static partial void ExpiresSoon(ILogger logger, string name, string subject, string thumbprint, DateTimeOffset notAfter, double daysLeft);

    [LoggerMessage(1206, LogLevel.Information, "The certificate {Name} is no longer served")]
    public static partial void Removed(ILogger logger, string name);

    [LoggerMessage(1207, LogLevel.Error, "Checking the certificate files failed; the certificates in use are kept")]
    public static partial void CheckFailed(ILogger logger, Exception exception);
}
