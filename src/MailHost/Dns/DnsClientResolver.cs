using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using DnsClient;

namespace MailHost.Dns;

/// <summary>
/// <see cref="IDnsResolver"/> over DnsClient with the system's name servers (or the given ones). Timeouts and
/// server failures are <see cref="DnsLookupStatus.TemporaryFailure"/>.
/// </summary>
internal sealed class DnsClientResolver : IDnsResolver
{
    private readonly LookupClient _client;

    /// <summary>Creates a resolver using the system's name servers.</summary>
    public DnsClientResolver()
        : this(new LookupClientOptions { UseCache = true, ThrowDnsErrors = false, Timeout = TimeSpan.FromSeconds(10), Retries = 2 })
    {
    }

    /// <summary>Creates a resolver with explicit DnsClient options.</summary>
    public DnsClientResolver(LookupClientOptions options) => _client = new LookupClient(options);

    /// <inheritdoc />
    public async ValueTask<DnsLookup<DnsMxRecord>> ResolveMxAsync(string domain, CancellationToken cancellationToken)
    {
        var (status, response) = await QueryAsync(domain, QueryType.MX, cancellationToken).ConfigureAwait(false);
        return status is not DnsLookupStatus.Found
            ? DnsLookup<DnsMxRecord>.Without(status)
            : DnsLookup<DnsMxRecord>.Of([.. response!.Answers.MxRecords().Select(r => new DnsMxRecord(r.Preference, Normalize(r.Exchange.Value)))]);
    }

    /// <inheritdoc />
    public async ValueTask<DnsLookup<IPAddress>> ResolveAddressesAsync(string host, CancellationToken cancellationToken)
    {
        var (v6Status, v6) = await QueryAsync(host, QueryType.AAAA, cancellationToken).ConfigureAwait(false);
        var (v4Status, v4) = await QueryAsync(host, QueryType.A, cancellationToken).ConfigureAwait(false);
        var addresses = new List<IPAddress>();
        if (v6Status == DnsLookupStatus.Found)
        {
            addresses.AddRange(v6!.Answers.AaaaRecords().Select(r => r.Address));
        }

        if (v4Status == DnsLookupStatus.Found)
        {
            addresses.AddRange(v4!.Answers.ARecords().Select(r => r.Address));
        }

        if (addresses.Count > 0)
        {
            return DnsLookup<IPAddress>.Of(addresses);
        }

        return v4Status == DnsLookupStatus.TemporaryFailure || v6Status == DnsLookupStatus.TemporaryFailure
            ? DnsLookup<IPAddress>.Without(DnsLookupStatus.TemporaryFailure)
            : DnsLookup<IPAddress>.Without(v4Status);
    }

    /// <inheritdoc />
    public async ValueTask<DnsLookup<IPAddress>> ResolveAddressesAsync(string host, AddressFamily family, CancellationToken cancellationToken)
    {
        var v6 = family == AddressFamily.InterNetworkV6;
        var (status, response) = await QueryAsync(host, v6 ? QueryType.AAAA : QueryType.A, cancellationToken).ConfigureAwait(false);
        if (status is not DnsLookupStatus.Found)
        {
            return DnsLookup<IPAddress>.Without(status);
        }

        return DnsLookup<IPAddress>.Of(v6
            ? [.. response!.Answers.AaaaRecords().Select(r => r.Address)]
            : [.. response!.Answers.ARecords().Select(r => r.Address)]);
    }

    /// <inheritdoc />
    public async ValueTask<DnsLookup<string>> ResolvePtrAsync(IPAddress address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        var (status, response) = await QueryAsync(ReverseName(address), QueryType.PTR, cancellationToken).ConfigureAwait(false);
        return status is not DnsLookupStatus.Found
            ? DnsLookup<string>.Without(status)
            : DnsLookup<string>.Of([.. response!.Answers.PtrRecords().Select(r => Normalize(r.PtrDomainName.Value))]);
    }

    /// <inheritdoc />
    public async ValueTask<DnsLookup<string>> ResolveTxtAsync(string name, CancellationToken cancellationToken)
    {
        var (status, response) = await QueryAsync(name, QueryType.TXT, cancellationToken).ConfigureAwait(false);
        return status is not DnsLookupStatus.Found
            ? DnsLookup<string>.Without(status)
            : DnsLookup<string>.Of([.. response!.Answers.TxtRecords().Select(r => string.Concat(r.Text))]);
    }

    /// <inheritdoc />
    public async ValueTask<DnsLookup<DnsSrvRecord>> ResolveSrvAsync(string name, CancellationToken cancellationToken)
    {
        var (status, response) = await QueryAsync(name, QueryType.SRV, cancellationToken).ConfigureAwait(false);
        return status is not DnsLookupStatus.Found
            ? DnsLookup<DnsSrvRecord>.Without(status)
            : DnsLookup<DnsSrvRecord>.Of([.. response!.Answers.SrvRecords().Select(r => new DnsSrvRecord(r.Priority, r.Weight, r.Port, Normalize(r.Target.Value)))]);
    }

    /// <inheritdoc />
    public async ValueTask<DnsLookup<string>> ResolveCnameAsync(string name, CancellationToken cancellationToken)
    {
        var (status, response) = await QueryAsync(name, QueryType.CNAME, cancellationToken).ConfigureAwait(false);
        return status is not DnsLookupStatus.Found
            ? DnsLookup<string>.Without(status)
            : DnsLookup<string>.Of([.. response!.Answers.CnameRecords().Select(r => Normalize(r.CanonicalName.Value))]);
    }

    private async Task<(DnsLookupStatus Status, IDnsQueryResponse? Response)> QueryAsync(string name, QueryType type, CancellationToken cancellationToken)
    {
        IDnsQueryResponse response;
        try
        {
            response = await _client.QueryAsync(name, type, QueryClass.IN, cancellationToken).ConfigureAwait(false);
        }
        catch (DnsResponseException)
        {
            return (DnsLookupStatus.TemporaryFailure, null);
        }
        catch (ArgumentException)
        {
            // Not a valid DNS name: nothing can exist under it.
            return (DnsLookupStatus.NonExistentDomain, null);
        }

        if (response.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain)
        {
            return (DnsLookupStatus.NonExistentDomain, response);
        }

        if (response.HasError)
        {
            return (DnsLookupStatus.TemporaryFailure, response);
        }

        var any = type switch
        {
            QueryType.MX => response.Answers.MxRecords().Any(),
            QueryType.A => response.Answers.ARecords().Any(),
            QueryType.AAAA => response.Answers.AaaaRecords().Any(),
            QueryType.TXT => response.Answers.TxtRecords().Any(),
            QueryType.PTR => response.Answers.PtrRecords().Any(),
            QueryType.SRV => response.Answers.SrvRecords().Any(),
            QueryType.CNAME => response.Answers.CnameRecords().Any(),
            _ => response.Answers.Count > 0,
        };
        return (any ? DnsLookupStatus.Found : DnsLookupStatus.NoRecords, response);
    }

    /// <summary>The reverse-lookup name: <c>4.3.2.1.in-addr.arpa</c>, or 32 reversed nibbles under <c>ip6.arpa</c> (RFC 3596 §2.5).</summary>
    internal static string ReverseName(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var bytes = address.GetAddressBytes();
        var name = new StringBuilder(72);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            for (var i = bytes.Length - 1; i >= 0; i--)
            {
                name.Append(bytes[i].ToString(CultureInfo.InvariantCulture)).Append('.');
            }

            return name.Append("in-addr.arpa").ToString();
        }

        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            name.Append("0123456789abcdef"[bytes[i] & 0xF]).Append('.').Append("0123456789abcdef"[bytes[i] >> 4]).Append('.');
        }

        return name.Append("ip6.arpa").ToString();
    }

    private static string Normalize(string name)
    {
        // RFC 7505 §3: a null MX is the root name ".", which must stay distinguishable from any host.
        if (name is "." or "")
        {
            return ".";
        }

        return name.TrimEnd('.').ToLowerInvariant();
    }
}
