using Microsoft.Extensions.Logging;

namespace MailHost.Filtering.ClamAv;

/// <summary>The log messages of the ClamAV filter (events 5340–5359).</summary>
internal static partial class ClamAvLog
{
    [LoggerMessage(5340, LogLevel.Debug, "ClamAV: message {TransactionId} ({Octets} octets) is clean; scanned by clamd at {Address} in {Elapsed}")]
    public static partial void Clean(ILogger logger, string transactionId, long octets, string address, TimeSpan elapsed);

    [LoggerMessage(5341, LogLevel.Information, "ClamAV: message {TransactionId} from {Sender} (client {ClientAddress}) is refused: clamd found {VirusName}")]
    public static partial void VirusFound(ILogger logger, string transactionId, string sender, string? clientAddress, string virusName);

    [LoggerMessage(5342, LogLevel.Information, "ClamAV: message {TransactionId} ({Octets} octets) is larger than MaxScanSize ({MaxScanSize} octets); accepted unscanned")]
    public static partial void TooLarge(ILogger logger, string transactionId, long octets, long maxScanSize);

    [LoggerMessage(5343, LogLevel.Warning, "ClamAV: clamd at {Address} refused message {TransactionId} ({Octets} octets) as larger than its StreamMaxLength; accepted unscanned. Set MailHost:Filtering:ClamAv:MaxScanSize ({MaxScanSize}) at or below clamd's StreamMaxLength")]
    public static partial void StreamMaxLengthExceeded(ILogger logger, string address, string transactionId, long octets, long maxScanSize);
}
