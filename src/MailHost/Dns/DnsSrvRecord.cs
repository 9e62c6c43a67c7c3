namespace MailHost.Dns;

/// <summary>An SRV record (RFC 2782), as RFC 6186 uses it to locate a domain's mail services.</summary>
/// <param name="Priority">Lower is tried first.</param>
/// <param name="Weight">Relative weight among records of the same priority.</param>
/// <param name="Port">The service's port.</param>
/// <param name="Target">The host name, lower case, without the trailing dot; <c>.</c> when the service is decidedly not offered (RFC 2782).</param>
public sealed record DnsSrvRecord(int Priority, int Weight, int Port, string Target);
