using System.Net;
using System.Net.Sockets;
using MailHost.Dns;

namespace MailHost.MailAuthentication;

/// <summary>
/// The DNS view of one message's checks: every lookup has its own timeout and all share the message's time budget;
/// a lookup that runs out of either, or whose resolver throws, is a temporary failure. Never throws. With a
/// <see cref="DnsResolverHealth"/>, lookups fail at once while the resolver is known not to answer.
/// </summary>
internal sealed class MailAuthenticationDns(IDnsResolver resolver, TimeSpan lookupTimeout, TimeProvider timeProvider, CancellationToken budget, DnsResolverHealth? health = null)
{
    private int _queries;

    /// <summary>Lookups made so far (for the log).</summary>
    public int Queries => _queries;

    /// <summary>Whether the time budget is spent.</summary>
    public bool IsExhausted => budget.IsCancellationRequested;

    public ValueTask<DnsLookup<string>> TxtAsync(string name) => RunAsync(ct => resolver.ResolveTxtAsync(name, ct));

    public ValueTask<DnsLookup<DnsMxRecord>> MxAsync(string domain) => RunAsync(ct => resolver.ResolveMxAsync(domain, ct));

    public ValueTask<DnsLookup<IPAddress>> AddressesAsync(string host, AddressFamily family) => RunAsync(ct => resolver.ResolveAddressesAsync(host, family, ct));

    public ValueTask<DnsLookup<string>> PtrAsync(IPAddress address) => RunAsync(ct => resolver.ResolvePtrAsync(address, ct));

    private async ValueTask<DnsLookup<T>> RunAsync<T>(Func<CancellationToken, ValueTask<DnsLookup<T>>> query)
    {
        if (budget.IsCancellationRequested)
        {
            return DnsLookup<T>.Without(DnsLookupStatus.TemporaryFailure);
        }

        if (health?.TryBegin() == false)
        {
            return DnsLookup<T>.Without(DnsLookupStatus.TemporaryFailure);
        }

        Interlocked.Increment(ref _queries);
        using var timeout = new CancellationTokenSource(lookupTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, budget);
        try
        {
            // WaitAsync: a resolver that ignores its token still cannot hold the message past the deadline.
            var answer = await query(linked.Token).AsTask().WaitAsync(linked.Token).ConfigureAwait(false);
            health?.Answered();
            return answer;
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            // Only the lookup's own timeout says the resolver is silent; a spent message budget says nothing of it.
            if (timeout.IsCancellationRequested)
            {
                health?.Unanswered();
            }

            return DnsLookup<T>.Without(DnsLookupStatus.TemporaryFailure);
        }
#pragma warning disable CA1031 // A resolver fault is a temporary DNS failure for authentication: mail must keep flowing.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            health?.Unanswered();
            return DnsLookup<T>.Without(DnsLookupStatus.TemporaryFailure);
        }
    }
}
