using System.Net;
using MailHost.Delivery.Dns;

namespace MailHost.Tests.Delivery;

/// <summary>An in-memory DNS zone: names not added do not exist; <see cref="Failing"/> names give a temporary failure.</summary>
public sealed class FakeDnsZone : IDnsResolver
{
    public Dictionary<string, List<DnsMxRecord>> Mx { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, List<IPAddress>> Addresses { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, List<string>> Txt { get; } = new(StringComparer.OrdinalIgnoreCase);

    public HashSet<string> Failing { get; } = new(StringComparer.OrdinalIgnoreCase);

    public int Queries { get; private set; }

    private bool Exists(string name) => Mx.ContainsKey(name) || Addresses.ContainsKey(name) || Txt.ContainsKey(name);

    private DnsLookup<T> Answer<T>(string name, Dictionary<string, List<T>> table)
    {
        Queries++;
        return Failing.Contains(name) ? DnsLookup<T>.Without(DnsLookupStatus.TemporaryFailure)
            : table.TryGetValue(name, out var records) ? DnsLookup<T>.Of(records)
            : DnsLookup<T>.Without(Exists(name) ? DnsLookupStatus.NoRecords : DnsLookupStatus.NonExistentDomain);
    }

    public ValueTask<DnsLookup<DnsMxRecord>> ResolveMxAsync(string domain, CancellationToken cancellationToken) => ValueTask.FromResult(Answer(domain, Mx));

    public ValueTask<DnsLookup<IPAddress>> ResolveAddressesAsync(string host, CancellationToken cancellationToken) => ValueTask.FromResult(Answer(host, Addresses));

    public ValueTask<DnsLookup<string>> ResolveTxtAsync(string name, CancellationToken cancellationToken) => ValueTask.FromResult(Answer(name, Txt));
}
