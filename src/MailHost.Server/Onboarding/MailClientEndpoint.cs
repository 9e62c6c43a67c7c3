using MailHost.Hosting;

namespace MailHost.Server.Onboarding;

/// <summary>
/// One mail endpoint as a client should use it: the protocol, the port, and whether TLS starts at once (implicit,
/// RFC 8314) or after STARTTLS. Endpoints without TLS are never advertised.
/// </summary>
internal sealed record MailClientEndpoint(MailProtocol Protocol, int Port, bool ImplicitTls);
