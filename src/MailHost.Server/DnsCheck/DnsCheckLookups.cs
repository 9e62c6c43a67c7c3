using System.Net;
using MailHost.Dns;

namespace MailHost.Server.DnsCheck;

/// <summary>
/// The resolver as the checks use it: every lookup bounded by its own timeout, and a timeout or a resolver that
/// throws answered as <see cref="DnsLookupStatus.TemporaryFailure"/>, so a dead name server gives "could not check"
/// lines instead of a crash or a hang. Cancelling the command still cancels.
/// </summary>
internal sealed class DnsCheckLookups(IDnsResolver resolver, TimeSpan lookupTimeout, TimeProvider timeProvider)
{
    /// <summary>The default bound of one lookup.</summary>
    public static readonly TimeSpan DefaultLookupTimeout = TimeSpan.FromSeconds(5);

    public IDnsResolver Resolver => resolver;

    public TimeSpan LookupTimeout => lookupTimeout;

    public ValueTask<DnsLookup<DnsMxRecord>> MxAsync(string domain, CancellationToken cancellationToken)
        => RunAsync(ct => resolver.ResolveMxAsync(domain, ct), cancellationToken);

    public ValueTask<DnsLookup<IPAddress>> AddressesAsync(string host, CancellationToken cancellationToken)
        => RunAsync(ct => resolver.ResolveAddressesAsync(host, ct), cancellationToken);

    public ValueTask<DnsLookup<string>> TxtAsync(string name, CancellationToken cancellationToken)
        => RunAsync(ct => resolver.ResolveTxtAsync(name, ct), cancellationToken);

    public ValueTask<DnsLookup<string>> PtrAsync(IPAddress address, CancellationToken cancellationToken)
        => RunAsync(ct => resolver.ResolvePtrAsync(address, ct), cancellationToken);

    public ValueTask<DnsLookup<DnsSrvRecord>> SrvAsync(string name, CancellationToken cancellationToken)
        => RunAsync(ct => resolver.ResolveSrvAsync(name, ct), cancellationToken);

    public ValueTask<DnsLookup<string>> CnameAsync(string name, CancellationToken cancellationToken)
        => RunAsync(ct => resolver.ResolveCnameAsync(name, ct), cancellationToken);

    private async ValueTask<DnsLookup<T>> RunAsync<T>(Func<CancellationToken, ValueTask<DnsLookup<T>>> query, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(lookupTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            // WaitAsync: a resolver that ignores its token still cannot hold the check past the timeout.
            return await query(linked.Token).AsTask().WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return DnsLookup<T>.Without(DnsLookupStatus.TemporaryFailure);
        }
#pragma warning disable CA1031 // A resolver fault is a failed lookup: the check reports it and goes on.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            return DnsLookup<T>.Without(DnsLookupStatus.TemporaryFailure);
        }
    }
}
