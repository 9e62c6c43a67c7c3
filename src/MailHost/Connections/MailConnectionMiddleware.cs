using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MailHost.Hosting;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;

namespace MailHost.Connections;

/// <summary>
/// The first middleware of every mail endpoint: creates the connection's <see cref="IMailConnectionFeature"/>,
/// opens the log scope that every later entry of the connection carries, and is the last error boundary: no
/// exception from the rest of the pipeline escapes to Kestrel.
/// </summary>
internal sealed class MailConnectionMiddleware(ConnectionDelegate next, MailEndpointOptions endpoint, ILogger logger)
{
    public async Task OnConnectionAsync(ConnectionContext context)
    {
        var connection = new MailConnection(
            context.ConnectionId,
            endpoint,
            context.RemoteEndPoint as IPEndPoint,
            context.LocalEndPoint as IPEndPoint);
        context.Features.Set<IMailConnectionFeature>(connection);
        context.Features.Set(connection);
        LimitSendBuffer(context);

        using var scope = logger.BeginScope(connection);
        var started = Stopwatch.GetTimestamp();
        ConnectionLog.ConnectionOpened(logger, connection.RemoteEndPoint, endpoint.Name);
        var tags = MailHostMetrics.Tags(connection);
        MailHostMetrics.ConnectionsOpened.Add(1, tags);
        MailHostMetrics.ConnectionsActive.Add(1, tags);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ConnectionResetException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer went away or a deadline passed: a normal end for a network connection.
            ConnectionLog.ConnectionClosed(logger, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return;
        }
#pragma warning disable CA1031 // The connection's error boundary: log and close, never crash the host.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            ConnectionLog.ConnectionFailed(logger, ex);
            context.Abort(new ConnectionAbortedException("Unhandled error", ex));
            return;
        }
        finally
        {
            MailHostMetrics.ConnectionsActive.Add(-1, tags);
        }

        ConnectionLog.ConnectionClosed(logger, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>
    /// Bounds what the kernel holds for a client that reads slowly (<see cref="MailEndpointOptions.SendBufferSize"/>):
    /// past it the session's flush waits, so the output limit and the write timeout hold for the kernel's part too.
    /// </summary>
    private void LimitSendBuffer(ConnectionContext context)
    {
        if (endpoint.SendBufferSize <= 0 || context.Features.Get<IConnectionSocketFeature>()?.Socket is not { } socket)
        {
            // Not a socket (an in-memory transport in tests, a named pipe) or left to the system by configuration.
            return;
        }

        try
        {
            socket.SendBufferSize = endpoint.SendBufferSize;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The client is already gone; the session finds out on its first read.
        }
    }
}
