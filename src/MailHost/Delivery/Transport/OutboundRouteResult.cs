namespace MailHost.Delivery.Transport;

/// <summary>A destination, or why there is none (a permanent or temporary failure for every recipient of the domain).</summary>
internal sealed record OutboundRouteResult(OutboundDestination? Destination, OutboundOutcome? Failure);
