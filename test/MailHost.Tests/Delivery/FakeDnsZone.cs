using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MailHost.Dns;

namespace MailHost.Tests.Delivery;

/// <summary>
/// An in-memory DNS zone: names not added do not exist; <see cref="Failing"/> names give a temporary failure.
/// <see cref="Reverse"/> maps addresses to names for reverse lookups; a failing address is listed in <see cref="Failing"/>
/// by its text.
/// </summary>
public sealed class FakeDnsZone : IDnsResolver
{
    public Dictionary<string, List<DnsMxRecord>> Mx { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, List<IPAddress>> Addresses { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, List<string>> Txt { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<IPAddress, List<string>> Reverse { get; } = [];

    public Dictionary<string, List<DnsSrvRecord>> Srv { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>CNAME targets; an aliased name answers only its CNAME here (no chasing to the target's records).</summary>
    public Dictionary<string, List<string>> Cname { get; } = new(StringComparer.OrdinalIgnoreCase);

    public HashSet<string> Failing { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every name asked for, in order (reverse lookups as the address text); safe for concurrent lookups.</summary>
    public ConcurrentQueue<string> Asked { get; } = new();

    private int _queries;

    public int Queries => _queries;

    private bool Exists(string name) => Mx.ContainsKey(name) || Addresses.ContainsKey(name) || Txt.ContainsKey(name) || Srv.ContainsKey(name) || Cname.ContainsKey(name);

    private DnsLookup<T> Answer<T>(string name, Dictionary<string, List<T>> table)
    {
        Interlocked.Increment(ref _queries);
        Asked.Enqueue(name);
        return Failing.Contains(name) ? DnsLookup<T>.Without(DnsLookupStatus.TemporaryFailure)
            : table.TryGetValue(name, out var records) ? DnsLookup<T>.Of(records)
            : DnsLookup<T>.Without(Exists(name) ? DnsLookupStatus.NoRecords : DnsLookupStatus.NonExistentDomain);
    }

    public ValueTask<DnsLookup<DnsMxRecord>> ResolveMxAsync(string domain, CancellationToken cancellationToken) => ValueTask.FromResult(Answer(domain, Mx));

    public ValueTask<DnsLookup<IPAddress>> ResolveAddressesAsync(string host, CancellationToken cancellationToken) => ValueTask.FromResult(Answer(host, Addresses));

    public ValueTask<DnsLookup<string>> ResolveTxtAsync(string name, CancellationToken cancellationToken) => ValueTask.FromResult(Answer(name, Txt));

    public ValueTask<DnsLookup<DnsSrvRecord>> ResolveSrvAsync(string name, CancellationToken cancellationToken) => ValueTask.FromResult(Answer(name, Srv));

    public ValueTask<DnsLookup<string>> ResolveCnameAsync(string name, CancellationToken cancellationToken) => ValueTask.FromResult(Answer(name, Cname));

    public ValueTask<DnsLookup<IPAddress>> ResolveAddressesAsync(string host, AddressFamily family, CancellationToken cancellationToken)
    {
        var both = Answer(host, Addresses);
        if (both.Status != DnsLookupStatus.Found)
        {
            return ValueTask.FromResult(both);
        }

        List<IPAddress> matching = [.. both.Records.Where(a => a.AddressFamily == family)];
        return ValueTask.FromResult(matching.Count > 0 ? DnsLookup<IPAddress>.Of(matching) : DnsLookup<IPAddress>.Without(DnsLookupStatus.NoRecords));
    }

    public ValueTask<DnsLookup<string>> ResolvePtrAsync(IPAddress address, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _queries);
        var key = address.ToString();
        Asked.Enqueue(key);
        return ValueTask.FromResult(
            Failing.Contains(key) ? DnsLookup<string>.Without(DnsLookupStatus.TemporaryFailure)
            : Reverse.TryGetValue(address, out var names) ? DnsLookup<string>.Of(names)
            : DnsLookup<string>.Without(DnsLookupStatus.NonExistentDomain));
    }
}
