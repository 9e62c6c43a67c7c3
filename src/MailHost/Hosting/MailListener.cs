using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace MailHost.Hosting;

/// <summary>A mail endpoint Kestrel listens on; <see cref="EndPoint"/> holds the bound port once the server has started.</summary>
public sealed class MailListener
{
    private readonly ListenOptions _listen;

    internal MailListener(MailEndpointOptions options, ListenOptions listen)
    {
        Options = options;
        _listen = listen;
    }

    /// <summary>The endpoint's settings.</summary>
    public MailEndpointOptions Options { get; }

    /// <summary>The address and port (the real port after start, also when 0 was asked for).</summary>
    public IPEndPoint? EndPoint => _listen.IPEndPoint;
}
