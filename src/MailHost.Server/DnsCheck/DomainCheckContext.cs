using System.Net;
using MailHost.Dns;

namespace MailHost.Server.DnsCheck;

/// <summary>
/// What every check reads: the configured setup, bounded DNS lookups, and the two answers several checks need (the
/// domain's MX records and the Hostname's addresses), asked once.
/// </summary>
internal sealed class DomainCheckContext(DomainSetup setup, DnsCheckLookups dns, DnsLookup<DnsMxRecord> mx, DnsLookup<IPAddress> hostAddresses, TimeProvider time)
{
    public DomainSetup Setup => setup;

    public string Domain => setup.Domain;

    public string Hostname => setup.Hostname;

    public DnsCheckLookups Dns => dns;

    /// <summary>The domain's MX records.</summary>
    public DnsLookup<DnsMxRecord> Mx => mx;

    /// <summary>The A and AAAA addresses of the Hostname: the addresses this host sends from and is reached at.</summary>
    public DnsLookup<IPAddress> HostAddresses => hostAddresses;

    public TimeProvider Time => time;

    /// <summary>Whether one of the domain's MX records names this host (then SPF's <c>mx</c> covers it).</summary>
    public bool MxPointsHere => mx.Records.Any(r => string.Equals(r.Exchange, Hostname, StringComparison.OrdinalIgnoreCase));
}
