using System.Net;

namespace MailHost.Delivery.Dns;

/// <summary>
/// The one DNS abstraction of MailHost: outbound routing and mail authentication ask only through it, so tests
/// answer from a fake zone and never touch real DNS. Answers are values; implementations do not throw for DNS
/// failures.
/// </summary>
public interface IDnsResolver
{
    /// <summary>The MX records of <paramref name="domain"/>.</summary>
    ValueTask<DnsLookup<DnsMxRecord>> ResolveMxAsync(string domain, CancellationToken cancellationToken);

    /// <summary>The A and AAAA addresses of <paramref name="host"/> (IPv6 first when both exist, as RFC 6724 prefers).</summary>
    ValueTask<DnsLookup<IPAddress>> ResolveAddressesAsync(string host, CancellationToken cancellationToken);

    /// <summary>The TXT records of <paramref name="name"/>, each one's strings joined (RFC 7208 §3.3).</summary>
    ValueTask<DnsLookup<string>> ResolveTxtAsync(string name, CancellationToken cancellationToken);
}
