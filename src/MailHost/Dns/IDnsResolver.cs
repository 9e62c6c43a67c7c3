using System.Net;
using System.Net.Sockets;

namespace MailHost.Dns;

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

    /// <summary>
    /// The addresses of <paramref name="host"/> of one family only: A records for
    /// <see cref="AddressFamily.InterNetwork"/>, AAAA for <see cref="AddressFamily.InterNetworkV6"/>. SPF asks for
    /// exactly one type (RFC 7208 §5), so "no data" and failures must be those of that one query. The default
    /// filters <see cref="ResolveAddressesAsync(string, CancellationToken)"/>, which is only an approximation (the
    /// other type's failure or answer leaks into the status); implementations should query the one type.
    /// </summary>
    async ValueTask<DnsLookup<IPAddress>> ResolveAddressesAsync(string host, AddressFamily family, CancellationToken cancellationToken)
    {
        var both = await ResolveAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        return both.Status == DnsLookupStatus.Found
            ? DnsLookup<IPAddress>.Of([.. both.Records.Where(a => a.AddressFamily == family)])
            : both;
    }

    /// <summary>
    /// The PTR names of <paramref name="address"/> (its <c>in-addr.arpa</c> or <c>ip6.arpa</c> name), lower case
    /// without the trailing dot. The default answers <see cref="DnsLookupStatus.NoRecords"/>, as for an address
    /// without reverse DNS; implementations that can should query.
    /// </summary>
    ValueTask<DnsLookup<string>> ResolvePtrAsync(IPAddress address, CancellationToken cancellationToken)
        => ValueTask.FromResult(DnsLookup<string>.Without(DnsLookupStatus.NoRecords));

    /// <summary>
    /// The SRV records of <paramref name="name"/> (for example <c>_imaps._tcp.example.com</c>, RFC 6186). The default
    /// answers <see cref="DnsLookupStatus.TemporaryFailure"/>: a resolver that cannot ask must not report the records
    /// as missing.
    /// </summary>
    ValueTask<DnsLookup<DnsSrvRecord>> ResolveSrvAsync(string name, CancellationToken cancellationToken)
        => ValueTask.FromResult(DnsLookup<DnsSrvRecord>.Without(DnsLookupStatus.TemporaryFailure));

    /// <summary>
    /// The CNAME target of <paramref name="name"/>, lower case without the trailing dot (at most one record, RFC 1034
    /// §3.6.2). The default answers <see cref="DnsLookupStatus.TemporaryFailure"/>, as for SRV.
    /// </summary>
    ValueTask<DnsLookup<string>> ResolveCnameAsync(string name, CancellationToken cancellationToken)
        => ValueTask.FromResult(DnsLookup<string>.Without(DnsLookupStatus.TemporaryFailure));
}
