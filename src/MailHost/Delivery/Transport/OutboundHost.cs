using System.Net;

namespace MailHost.Delivery.Transport;

/// <summary>One host to try: its name (for TLS and logs), a fixed address when known, and the port.</summary>
internal sealed record OutboundHost(string Name, IPAddress? Address, int Port);
