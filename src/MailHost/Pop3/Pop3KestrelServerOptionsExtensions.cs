using System.Diagnostics.CodeAnalysis;
using System.Net;
using MailHost.Hosting;
using MailHost.Pop3;

// Extension methods live in the namespace of the type they extend.
namespace Microsoft.AspNetCore.Server.Kestrel.Core;

/// <summary>POP3 endpoints in code.</summary>
[SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in their first parameter (a port or an IPEndPoint), so no call is ambiguous; they ship together, as Kestrel's own Listen methods do.")]
public static class Pop3KestrelServerOptionsExtensions
{
    /// <summary>Listens for POP3 on every address at <paramref name="port"/> (e.g. <c>kestrel.ListenPop3(110, o => o.Tls = MailTlsMode.Auto)</c>).</summary>
    public static KestrelServerOptions ListenPop3(this KestrelServerOptions kestrel, int port, Action<MailEndpointOptions>? configure = null)
        => kestrel.ListenPop3(new IPEndPoint(IPAddress.IPv6Any, port), configure);

    /// <summary>Listens for POP3 on <paramref name="endpoint"/>.</summary>
    public static KestrelServerOptions ListenPop3(this KestrelServerOptions kestrel, IPEndPoint endpoint, Action<MailEndpointOptions>? configure = null)
        => kestrel.ListenMail<Pop3ConnectionHandler>(endpoint, MailProtocol.Pop3, configure);
}
