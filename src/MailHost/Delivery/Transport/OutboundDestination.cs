namespace MailHost.Delivery.Transport;

/// <summary>
/// Where mail for one domain goes: the hosts in the order to try them, how TLS is used and the credentials.
/// <see cref="Key"/> names the destination for connection reuse and the per-destination connection limit.
/// </summary>
internal sealed record OutboundDestination(string Key, IReadOnlyList<OutboundHost> Hosts, OutboundTlsMode Tls, bool ImplicitMx)
{
    public string? Username { get; init; }

    public string? Password { get; init; }

    public string? CertificateFingerprint { get; init; }
}
