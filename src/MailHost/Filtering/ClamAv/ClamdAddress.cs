using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MailHost.Filtering.ClamAv;

/// <summary>
/// Where clamd listens, parsed from <see cref="ClamAvOptions.Address"/>: a TCP host and port (<c>tcp://host:port</c>)
/// or the path of a unix domain socket (<c>unix:/path</c>).
/// </summary>
internal sealed class ClamdAddress
{
    private const string TcpPrefix = "tcp://";
    private const string UnixPrefix = "unix:";

    private ClamdAddress(string? host, int port, string? socketPath)
    {
        Host = host;
        Port = port;
        SocketPath = socketPath;
    }

    /// <summary>The TCP host name or IP address literal (without brackets); null for a unix socket.</summary>
    public string? Host { get; }

    /// <summary>The TCP port, 1-65535; 0 for a unix socket.</summary>
    public int Port { get; }

    /// <summary>The absolute path of clamd's unix socket; null for TCP.</summary>
    public string? SocketPath { get; }

    /// <summary>
    /// Parses <c>tcp://host:port</c> (an IPv6 literal in brackets) or <c>unix:</c> and an absolute path
    /// (<c>unix:///path</c> is taken as well, as libraries that write socket addresses as URIs do).
    /// </summary>
    public static bool TryParse(string? value, [NotNullWhen(true)] out ClamdAddress? address, [NotNullWhen(false)] out string? error)
    {
        address = null;
        value = value?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            error = "is empty; use tcp://host:port or unix:/path/to/clamd.ctl.";
            return false;
        }

        if (value.StartsWith(UnixPrefix, StringComparison.OrdinalIgnoreCase))
        {
            var path = value[UnixPrefix.Length..];
            if (path.StartsWith("///", StringComparison.Ordinal))
            {
                path = path[2..];
            }

            if (!Path.IsPathFullyQualified(path))
            {
                error = $"'{value}' does not name an absolute socket path; use unix:/run/clamav/clamd.ctl or the like.";
                return false;
            }

            address = new ClamdAddress(null, 0, path);
            error = null;
            return true;
        }

        if (!value.StartsWith(TcpPrefix, StringComparison.OrdinalIgnoreCase)
            || !Uri.TryCreate(value, UriKind.Absolute, out var uri)
            || uri.HostNameType is UriHostNameType.Unknown
            || uri.Host.Length == 0)
        {
            error = $"'{value}' is not tcp://host:port or unix:/path (e.g. tcp://127.0.0.1:3310, unix:/run/clamav/clamd.ctl).";
            return false;
        }

        // Uri has no default port for tcp:, so a missing port reads as -1.
        if (uri.Port is < 1 or > 65535 || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            error = $"'{value}' needs a port from 1 to 65535 and nothing after it (e.g. tcp://127.0.0.1:3310).";
            return false;
        }

        address = new ClamdAddress(uri.DnsSafeHost, uri.Port, null);
        error = null;
        return true;
    }

    /// <summary>
    /// Opens a connection: to the unix socket, or to each address of the host in turn until one answers (as
    /// <see cref="TcpClient"/> does). Nagle is off on TCP so that the last small chunk is not held back.
    /// </summary>
    public async Task<Socket> ConnectAsync(CancellationToken cancellationToken)
    {
        if (SocketPath is not null)
        {
            return await ConnectToAsync(new UnixDomainSocketEndPoint(SocketPath), ProtocolType.Unspecified, cancellationToken).ConfigureAwait(false);
        }

        var addresses = IPAddress.TryParse(Host, out var literal)
            ? [literal]
            : await System.Net.Dns.GetHostAddressesAsync(Host!, cancellationToken).ConfigureAwait(false);
        if (addresses.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }

        for (var i = 0; ; i++)
        {
            try
            {
                var socket = await ConnectToAsync(new IPEndPoint(addresses[i], Port), ProtocolType.Tcp, cancellationToken).ConfigureAwait(false);
                socket.NoDelay = true;
                return socket;
            }
            catch (SocketException) when (i < addresses.Length - 1)
            {
                // The next address of the name, as for any client of a multi-homed host.
            }
        }
    }

    /// <summary><c>tcp://host:port</c> or <c>unix:/path</c>, for messages.</summary>
    public override string ToString()
        => SocketPath is not null
            ? UnixPrefix + SocketPath
            : string.Create(CultureInfo.InvariantCulture, $"{TcpPrefix}{(Host!.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port}");

    private static async Task<Socket> ConnectToAsync(EndPoint endPoint, ProtocolType protocol, CancellationToken cancellationToken)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, protocol);
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
