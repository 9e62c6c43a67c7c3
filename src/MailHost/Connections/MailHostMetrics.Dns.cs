using System.Diagnostics.Metrics;

namespace MailHost.Connections;

/// <summary>The instruments of mail authentication's DNS lookups.</summary>
public static partial class MailHostMetrics
{
    internal static readonly UpDownCounter<long> DnsResolverFailingFast = Meter.CreateUpDownCounter<long>(
        "mailhost.mailauth.dns.failing_fast", unit: "{resolver}",
        description: "1 while mail authentication lookups fail at once because the resolver left the last ones unanswered, else 0.");

    internal static readonly Counter<long> DnsLookupsFailedFast = Meter.CreateCounter<long>(
        "mailhost.mailauth.dns.failed_fast", unit: "{lookup}",
        description: "Mail authentication lookups answered as temporary failures without asking the resolver, while it did not answer.");
}
