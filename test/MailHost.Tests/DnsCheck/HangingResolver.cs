using System.Net;
using System.Net.Sockets;
using MailHost.Dns;

namespace MailHost.Tests.DnsCheck;

/// <summary>Answers from a zone, except that TXT lookups of one name never answer (a name server that times out).</summary>
internal sealed class HangingResolver(IDnsResolver zone, string hangingTxtName) : IDnsResolver
{
    public ValueTask<DnsLookup<DnsMxRecord>> ResolveMxAsync(string domain, CancellationToken cancellationToken) => zone.ResolveMxAsync(domain, cancellationToken);

    public ValueTask<DnsLookup<IPAddress>> ResolveAddressesAsync(string host, CancellationToken cancellationToken) => zone.ResolveAddressesAsync(host, cancellationToken);

    public ValueTask<DnsLookup<IPAddress>> ResolveAddressesAsync(string host, AddressFamily family, CancellationToken cancellationToken) => zone.ResolveAddressesAsync(host, family, cancellationToken);

    public ValueTask<DnsLookup<string>> ResolvePtrAsync(IPAddress address, CancellationToken cancellationToken) => zone.ResolvePtrAsync(address, cancellationToken);

    public ValueTask<DnsLookup<DnsSrvRecord>> ResolveSrvAsync(string name, CancellationToken cancellationToken) => zone.ResolveSrvAsync(name, cancellationToken);

    public ValueTask<DnsLookup<string>> ResolveCnameAsync(string name, CancellationToken cancellationToken) => zone.ResolveCnameAsync(name, cancellationToken);

    public async ValueTask<DnsLookup<string>> ResolveTxtAsync(string name, CancellationToken cancellationToken)
    {
        if (string.Equals(name, hangingTxtName, StringComparison.OrdinalIgnoreCase))
        {
            // Ignores its token, like a broken resolver: the check's own timeout must still end the wait.
            await Task.Delay(Timeout.Infinite, CancellationToken.None);
        }

        return await zone.ResolveTxtAsync(name, cancellationToken);
    }
}
