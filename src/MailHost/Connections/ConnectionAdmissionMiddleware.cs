using System.Net;
using MailHost.Hosting;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace MailHost.Connections;

/// <summary>
/// Decides, before the greeting, whether a client may talk to the endpoint: the network policy (deny list, then
/// allow list; deny wins) and the connection limits (per endpoint, per client address range as
/// <see cref="MailLimitsOptions"/> groups them). Runs after the PROXY protocol stage, so it judges the real client address.
/// </summary>
internal sealed class ConnectionAdmissionMiddleware(
    ConnectionDelegate next,
    MailEndpointOptions endpoint,
    MailLimitsOptions limits,
    ConnectionCounter counter,
    ILogger logger)
{
    public async Task OnConnectionAsync(ConnectionContext context)
    {
        var connection = context.Features.Get<MailConnection>()!;
        var address = Normalize(connection.RemoteEndPoint?.Address);

        if (address is not null && !IsAllowed(endpoint, address))
        {
            ConnectionLog.PolicyDenied(logger, address, endpoint.Name);
            MailHostMetrics.Refused(connection, "policy");
            await MailRefusal.WriteAsync(context.Transport.Output, endpoint, temporary: false, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        var range = address is null ? (IPNetwork?)null : limits.RangeOf(address);
        if (!counter.TryAcquire(range, endpoint.MaxConnections, endpoint.MaxConnectionsPerAddress, out var totalExceeded))
        {
            MailHostMetrics.Refused(connection, totalExceeded ? "endpoint-limit" : "address-limit");
            if (totalExceeded)
            {
                ConnectionLog.EndpointFull(logger, address, endpoint.Name, endpoint.MaxConnections);
            }
            else
            {
                ConnectionLog.AddressFull(logger, address!, range!.Value.ToString(), endpoint.Name, endpoint.MaxConnectionsPerAddress);
            }

            await MailRefusal.WriteAsync(context.Transport.Output, endpoint, temporary: true, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            counter.Release(range);
        }
    }

    /// <summary>Deny wins; an empty allow list allows everyone.</summary>
    internal static bool IsAllowed(MailEndpointOptions endpoint, IPAddress address)
    {
        foreach (var network in endpoint.DeniedNetworks)
        {
            if (Contains(network, address))
            {
                return false;
            }
        }

        if (endpoint.AllowedNetworks.Count == 0)
        {
            return true;
        }

        foreach (var network in endpoint.AllowedNetworks)
        {
            if (Contains(network, address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>An IPv4 client on a dual-stack socket arrives as ::ffff:a.b.c.d; policies are written for a.b.c.d.</summary>
    internal static IPAddress? Normalize(IPAddress? address)
        => address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;

    internal static bool Contains(IPNetwork network, IPAddress address)
        => network.Contains(address) || (address.IsIPv4MappedToIPv6 && network.Contains(address.MapToIPv4()));
}
