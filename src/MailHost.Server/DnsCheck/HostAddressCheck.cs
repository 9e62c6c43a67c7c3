using MailHost.Dns;

namespace MailHost.Server.DnsCheck;

/// <summary>A/AAAA: the Hostname (the MX target, the EHLO name, the name clients connect to) must resolve.</summary>
internal sealed class HostAddressCheck : IDomainCheck
{
    private const string Name = "A/AAAA";

    public ValueTask<IReadOnlyList<DomainCheckResult>> RunAsync(DomainCheckContext context, CancellationToken cancellationToken)
        => ValueTask.FromResult<IReadOnlyList<DomainCheckResult>>([Check(context)]);

    private static DomainCheckResult Check(DomainCheckContext context)
    {
        var host = context.Hostname;
        if (!host.Contains('.', StringComparison.Ordinal))
        {
            return DomainCheckResult.Fail(Name, $"MailHost:Hostname is '{host}', not a public host name; set it to the name the MX record points to");
        }

        var addresses = context.HostAddresses;
        return addresses.Status switch
        {
            DnsLookupStatus.Found => DomainCheckResult.Ok(Name, $"{host} has {string.Join(", ", addresses.Records)}"),
            DnsLookupStatus.TemporaryFailure => DomainCheckResult.CouldNotCheck(Name, host, "A/AAAA"),
            _ => DomainCheckResult.Fail(
                Name,
                $"{host} has no A or AAAA record; publish this host's public address (an AAAA record for IPv6 likewise)",
                $"{host}. IN A <this host's public IPv4 address>"),
        };
    }
}
