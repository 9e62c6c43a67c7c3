using MailHost.Dns;

namespace MailHost.Server.DnsCheck;

/// <summary>
/// Client onboarding by name: Thunderbird asks <c>autoconfig.&lt;domain&gt;</c> and Outlook
/// <c>autodiscover.&lt;domain&gt;</c> for the settings, so both names should lead to this host. A CNAME to the
/// Hostname is what the check asks for; address records equal to the Hostname's are accepted as well.
/// </summary>
internal sealed class AutoconfigCheck : IDomainCheck
{
    private const string Name = "CNAME";
    private static readonly string[] Labels = ["autoconfig", "autodiscover"];

    public async ValueTask<IReadOnlyList<DomainCheckResult>> RunAsync(DomainCheckContext context, CancellationToken cancellationToken)
    {
        var results = new List<DomainCheckResult>(Labels.Length);
        foreach (var label in Labels)
        {
            results.Add(await CheckAsync(context, $"{label}.{context.Domain}", cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    private static async Task<DomainCheckResult> CheckAsync(DomainCheckContext context, string name, CancellationToken cancellationToken)
    {
        var publish = ZoneRecords.Cname(name, context.Hostname);
        var cname = await context.Dns.CnameAsync(name, cancellationToken).ConfigureAwait(false);
        if (cname.Status == DnsLookupStatus.TemporaryFailure)
        {
            return DomainCheckResult.CouldNotCheck(Name, name, "CNAME");
        }

        if (cname.Status == DnsLookupStatus.Found)
        {
            var target = cname.Records[0];
            return string.Equals(target, context.Hostname, StringComparison.OrdinalIgnoreCase)
                ? DomainCheckResult.Ok(Name, $"{name} CNAME {target}")
                : DomainCheckResult.Warn(Name, $"{name} CNAME {target}, not {context.Hostname}; mail clients asking it for settings do not reach this host", publish);
        }

        var addresses = await context.Dns.AddressesAsync(name, cancellationToken).ConfigureAwait(false);
        if (addresses.Status == DnsLookupStatus.Found && context.HostAddresses.Status == DnsLookupStatus.Found
            && addresses.Records.ToHashSet().SetEquals(context.HostAddresses.Records))
        {
            return DomainCheckResult.Ok(Name, $"{name} has the addresses of {context.Hostname}");
        }

        return DomainCheckResult.Warn(Name, $"{name} does not lead to {context.Hostname}; mail clients cannot find their settings there", publish);
    }
}
