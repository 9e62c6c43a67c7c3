using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace MailHost.Server.Administration;

/// <summary>
/// The administration listener Kestrel was given: its bound address once the server has started, and whether a
/// request arrived through it. Administration routes answer only there, everything else only elsewhere.
/// </summary>
internal sealed class AdminListener
{
    private readonly Lock _lock = new();
    private ListenOptions? _listen;

    /// <summary>The bound address (the real port after start, also when 0 was asked for); null when off.</summary>
    public IPEndPoint? EndPoint
    {
        get
        {
            lock (_lock)
            {
                return _listen?.IPEndPoint;
            }
        }
    }

    /// <summary>Whether the endpoint is HTTPS.</summary>
    public bool Https { get; private set; }

    /// <summary>The base address clients use, such as <c>http://127.0.0.1:8080/</c>; null before start or when off.</summary>
    public Uri? BaseAddress
    {
        get
        {
            if (EndPoint is not { } endPoint)
            {
                return null;
            }

            var host = endPoint.Address.Equals(IPAddress.Any) || endPoint.Address.Equals(IPAddress.IPv6Any) ? IPAddress.Loopback : endPoint.Address;
            return new UriBuilder(Https ? "https" : "http", host.ToString(), endPoint.Port).Uri;
        }
    }

    /// <summary>
    /// Whether a connection came in through the administration listener: its local port is the listener's (a port is
    /// bound by one listener; a listener on one address shares the port number only with listeners on other addresses).
    /// </summary>
    public bool Accepted(ConnectionInfo connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (EndPoint is not { } endPoint || connection.LocalPort != endPoint.Port || connection.LocalIpAddress is not { } local)
        {
            return false;
        }

        var bound = endPoint.Address;
        return bound.Equals(IPAddress.Any) || bound.Equals(IPAddress.IPv6Any) || IPAddress.IsLoopback(bound) && IPAddress.IsLoopback(local)
            || bound.Equals(local.IsIPv4MappedToIPv6 ? local.MapToIPv4() : local);
    }

    internal void Set(ListenOptions listen, bool https)
    {
        lock (_lock)
        {
            _listen = listen;
            Https = https;
        }
    }
}
