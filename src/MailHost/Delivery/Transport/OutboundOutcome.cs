namespace MailHost.Delivery.Transport;

/// <summary>The result of one attempt for one recipient: the kind, the reply text and the host that gave it.</summary>
/// <param name="Kind">Delivered, or a temporary or permanent failure.</param>
/// <param name="Reply">The SMTP reply (code, enhanced status, text) or a failure described in that form.</param>
/// <param name="RemoteMta">The host that gave the reply, or <see langword="null"/>.</param>
/// <param name="RemoteTookDsn">Whether the next hop took the DSN request itself (RFC 3461 §4.1), so no "relayed" notice is due.</param>
internal sealed record OutboundOutcome(OutboundOutcomeKind Kind, string Reply, string? RemoteMta, bool RemoteTookDsn = false)
{
    public static OutboundOutcome Temporary(string reply, string? remoteMta = null) => new(OutboundOutcomeKind.TemporaryFailure, reply, remoteMta);

    public static OutboundOutcome Permanent(string reply, string? remoteMta = null) => new(OutboundOutcomeKind.PermanentFailure, reply, remoteMta);
}
