using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace MailHost.Hosting;

/// <summary>
/// Tells the host which connection handler serves a protocol, so endpoints from configuration can be wired.
/// Each protocol's <c>Add...</c> method registers one as a singleton.
/// </summary>
/// <param name="Protocol">The protocol served.</param>
/// <param name="UseHandler">Adds the pipeline and the protocol's handler to a listener.</param>
public sealed record MailProtocolHandlerRegistration(MailProtocol Protocol, Action<ListenOptions, MailEndpointOptions> UseHandler);
