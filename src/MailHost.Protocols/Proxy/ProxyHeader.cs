using System.Net;

namespace MailHost.Protocols.Proxy;

/// <summary>A parsed HAProxy PROXY protocol header.</summary>
/// <param name="Version">1 for the text format, 2 for the binary format.</param>
/// <param name="Command">LOCAL (v2 only) or PROXY.</param>
/// <param name="Source">
/// The original client's address and port; null for LOCAL, v1 UNKNOWN, AF_UNIX and unspecified families or
/// transports, where the real connection endpoints apply.
/// </param>
/// <param name="Destination">The address and port the client connected to; null exactly when <paramref name="Source"/> is.</param>
public sealed record ProxyHeader(int Version, ProxyCommand Command, IPEndPoint? Source, IPEndPoint? Destination);
