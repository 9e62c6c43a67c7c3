using System.Net;
using MailHost.Dns;

namespace MailHost.Server.DnsCheck;

/// <summary>
/// PTR: each address of the Hostname must point back to the Hostname. Receivers commonly refuse or score down mail
/// from an address without forward-confirmed reverse DNS (RFC 8601 §3 calls it "iprev"); the record lives in the
/// address owner's reverse zone, so the hosting provider usually publishes it.
/// </summary>
internal sealed class ReverseDnsCheck : IDomainCheck
{
    private const string Name = "PTR";

    public async ValueTask<IReadOnlyList<DomainCheckResult>> RunAsync(DomainCheckContext context, CancellationToken cancellationToken)
    {
        // Without addresses there is nothing to look up; the A/AAAA line already says so.
        var results = new List<DomainCheckResult>();
        foreach (var address in context.HostAddresses.Records)
        {
            results.Add(await CheckAsync(context, address, cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    private static async Task<DomainCheckResult> CheckAsync(DomainCheckContext context, IPAddress address, CancellationToken cancellationToken)
    {
        var reverseName = DnsClientResolver.ReverseName(address);
        var ptr = await context.Dns.PtrAsync(address, cancellationToken).ConfigureAwait(false);
        if (ptr.Status == DnsLookupStatus.TemporaryFailure)
        {
            return DomainCheckResult.CouldNotCheck(Name, reverseName, "PTR");
        }

        // Forward confirmation: the address came from the Hostname's own A/AAAA records, so a PTR naming the
        // Hostname resolves back to the address by construction.
        if (ptr.Records.Any(n => string.Equals(n, context.Hostname, StringComparison.OrdinalIgnoreCase)))
        {
            return DomainCheckResult.Ok(Name, $"{address} -> {context.Hostname} -> {address}");
        }

        var found = ptr.Status == DnsLookupStatus.Found
            ? $"{address} points to {string.Join(", ", ptr.Records)}, not {context.Hostname}"
            : $"{address} has no PTR record";
        return DomainCheckResult.Warn(
            Name,
            found + "; receivers often reject mail from an address whose reverse DNS does not match its name. The address's owner (usually the hosting provider) publishes it:",
            ZoneRecords.Ptr(reverseName, context.Hostname));
    }
}
