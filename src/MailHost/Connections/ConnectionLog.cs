using System.Net;
using Microsoft.Extensions.Logging;

namespace MailHost.Connections;

/// <summary>Log messages of the connection layer; event ids 1000-1099 are stable.</summary>
internal static partial class ConnectionLog
{
    [LoggerMessage(1000, LogLevel.Debug, "Connection opened from {Remote} on endpoint {Endpoint}")]
    public static partial void ConnectionOpened(ILogger logger, IPEndPoint? remote, string endpoint);

    [LoggerMessage(1001, LogLevel.Debug, "Connection closed after {DurationMs} ms")]
    public static partial void ConnectionClosed(ILogger logger, long durationMs);

    [LoggerMessage(1002, LogLevel.Error, "Unhandled error on the connection; it was closed")]
    public static partial void ConnectionFailed(ILogger logger, Exception exception);

    [LoggerMessage(1010, LogLevel.Warning, "Refused {Remote}: denied by the network policy of endpoint {Endpoint}")]
    public static partial void PolicyDenied(ILogger logger, IPAddress remote, string endpoint);

    [LoggerMessage(1011, LogLevel.Warning, "Refused {Remote}: endpoint {Endpoint} has {Limit} connections open")]
    public static partial void EndpointFull(ILogger logger, IPAddress? remote, string endpoint, int limit);

    [LoggerMessage(1012, LogLevel.Warning, "Refused {Remote}: its address range {Range} has {Limit} connections open on endpoint {Endpoint}")]
    public static partial void AddressFull(ILogger logger, IPAddress remote, string range, string endpoint, int limit);

    [LoggerMessage(1020, LogLevel.Warning, "PROXY header from untrusted peer {Peer} refused")]
    public static partial void ProxyUntrusted(ILogger logger, IPEndPoint? peer);

    [LoggerMessage(1021, LogLevel.Warning, "Invalid PROXY header from {Peer}: {Error}")]
    public static partial void ProxyInvalid(ILogger logger, IPEndPoint? peer, string error);

    [LoggerMessage(1022, LogLevel.Debug, "PROXY header from {Peer}: client {Client}, destination {Destination}")]
    public static partial void ProxyAccepted(ILogger logger, IPEndPoint? peer, IPEndPoint? client, IPEndPoint? destination);

    [LoggerMessage(1030, LogLevel.Debug, "TLS detection: {Result} after {ElapsedMs} ms")]
    public static partial void TlsDetected(ILogger logger, string result, long elapsedMs);

    [LoggerMessage(1031, LogLevel.Debug, "TLS established: {Tls}, server name {ServerName}, ALPN {Alpn}")]
    public static partial void TlsEstablished(ILogger logger, string tls, string? serverName, string? alpn);

    [LoggerMessage(1032, LogLevel.Information, "TLS handshake failed: {Reason}")]
    public static partial void TlsFailed(ILogger logger, string reason);

    [LoggerMessage(1033, LogLevel.Warning, "TLS refused: the client offered only {Alpn} (cross-protocol attempt, ALPACA)")]
    public static partial void TlsForeignAlpn(ILogger logger, string alpn);

    [LoggerMessage(1034, LogLevel.Warning, "TLS refused: {Limit} handshakes are already in progress on this endpoint")]
    public static partial void TlsPendingFull(ILogger logger, int limit);

    [LoggerMessage(1037, LogLevel.Warning, "TLS refused: {Range} already has {Limit} handshakes in progress on this endpoint")]
    public static partial void TlsPendingAddressFull(ILogger logger, string range, int limit);

    [LoggerMessage(1035, LogLevel.Warning, "Discarded {Count} bytes sent after STARTTLS before the handshake (possible command injection)")]
    public static partial void StartTlsDiscarded(ILogger logger, long count);

    [LoggerMessage(1036, LogLevel.Warning, "A TLS ClientHello arrived on an endpoint without implicit TLS or detection; first bytes {Bytes}")]
    public static partial void TlsOnPlainEndpoint(ILogger logger, string bytes);

    [LoggerMessage(1040, LogLevel.Warning, "Closed: the client read none of its replies within the write timeout of {TimeoutSeconds} s ({Pending} bytes waiting)")]
    public static partial void WriteTimedOut(ILogger logger, long timeoutSeconds, long pending);

    [LoggerMessage(1041, LogLevel.Information, "Closed at shutdown: the client was not reading its replies ({Pending} bytes waiting)")]
    public static partial void WriteStalledAtShutdown(ILogger logger, long pending);
}
