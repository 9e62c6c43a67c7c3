using System.Diagnostics.CodeAnalysis;
using System.Net;
using MailHost.Hosting;
using MailHost.Imap;

// Extension methods live in the namespace of the type they extend.
namespace Microsoft.AspNetCore.Server.Kestrel.Core;

/// <summary>IMAP endpoints in code.</summary>
[SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in their first parameter (a port or an IPEndPoint), so no call is ambiguous; they ship together, as Kestrel's own Listen methods do.")]
public static class ImapKestrelServerOptionsExtensions
{
    /// <summary>Listens for IMAP on every address at <paramref name="port"/> (e.g. <c>kestrel.ListenImap(143, o => o.Tls = MailTlsMode.Auto)</c>).</summary>
    public static KestrelServerOptions ListenImap(this KestrelServerOptions kestrel, int port, Action<MailEndpointOptions>? configure = null)
        => kestrel.ListenImap(new IPEndPoint(IPAddress.IPv6Any, port), configure);

    /// <summary>Listens for IMAP on <paramref name="endpoint"/>.</summary>
    public static KestrelServerOptions ListenImap(this KestrelServerOptions kestrel, IPEndPoint endpoint, Action<MailEndpointOptions>? configure = null)
        => kestrel.ListenMail<ImapConnectionHandler>(endpoint, MailProtocol.Imap, configure);
}
