using MailHost.Hosting;
using MailHost.Protocols.Proxy;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace MailHost.Connections;

/// <summary>
/// Reads a HAProxy PROXY protocol v1/v2 header (opt-in per endpoint) and makes the client address it names the
/// connection's <see cref="IMailConnectionFeature.RemoteEndPoint"/>, so logs, the network policy and login
/// throttling see the real client. Only peers in <see cref="MailEndpointOptions.TrustedProxies"/> may send one;
/// anyone else, a missing header or a malformed one closes the connection.
/// </summary>
internal sealed class ProxyProtocolMiddleware(ConnectionDelegate next, MailEndpointOptions endpoint, TimeProvider timeProvider, ILogger logger)
{
    public async Task OnConnectionAsync(ConnectionContext context)
    {
        var connection = context.Features.Get<MailConnection>()!;
        var peer = connection.RemoteEndPoint;
        var peerAddress = ConnectionAdmissionMiddleware.Normalize(peer?.Address);
        if (peerAddress is null || !endpoint.TrustedProxies.Any(n => ConnectionAdmissionMiddleware.Contains(n, peerAddress)))
        {
            ConnectionLog.ProxyUntrusted(logger, peer);
            return;
        }

        using var deadline = new CancellationTokenSource(endpoint.ProxyHeaderTimeout, timeProvider);
        var input = context.Transport.Input;
        ProxyHeader? header;
        while (true)
        {
            System.IO.Pipelines.ReadResult result;
            try
            {
                result = await input.ReadAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                ConnectionLog.ProxyInvalid(logger, peer, "no complete PROXY header before the deadline");
                return;
            }

            var buffer = result.Buffer;
            var status = ProxyProtocolParser.TryParse(buffer, out var consumed, out header, out var error);
            if (status == ProxyParseStatus.Complete)
            {
                input.AdvanceTo(consumed);
                break;
            }

            if (status == ProxyParseStatus.Invalid || result.IsCompleted)
            {
                input.AdvanceTo(buffer.Start);
                ConnectionLog.ProxyInvalid(logger, peer, error ?? "connection closed inside the PROXY header");
                return;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }

        // RFC-less but per the PROXY spec: LOCAL (health checks) and UNKNOWN keep the proxy's own addresses.
        if (header is { Command: ProxyCommand.Proxy, Source: not null })
        {
            connection.RemoteEndPoint = header.Source;
            connection.LocalEndPoint = header.Destination ?? connection.LocalEndPoint;
        }

        ConnectionLog.ProxyAccepted(logger, peer, connection.RemoteEndPoint, connection.LocalEndPoint);
        await next(context).ConfigureAwait(false);
    }
}
