using MailHost.Dns;

namespace MailHost.Server.DnsCheck;

/// <summary>MX: the domain's mail must reach this host (RFC 5321 §5.1).</summary>
internal sealed class MxCheck : IDomainCheck
{
    private const string Name = "MX";

    public ValueTask<IReadOnlyList<DomainCheckResult>> RunAsync(DomainCheckContext context, CancellationToken cancellationToken)
        => ValueTask.FromResult<IReadOnlyList<DomainCheckResult>>([Check(context)]);

    private static DomainCheckResult Check(DomainCheckContext context)
    {
        var mx = context.Mx;
        var publish = ZoneRecords.Mx(context.Domain, 10, context.Hostname);
        if (mx.Status == DnsLookupStatus.TemporaryFailure)
        {
            return DomainCheckResult.CouldNotCheck(Name, context.Domain, "MX");
        }

        if (mx.Status != DnsLookupStatus.Found)
        {
            // RFC 5321 §5.1 falls back to the domain's own address, but that is not this host: publish an MX.
            return DomainCheckResult.Fail(Name, $"{context.Domain} has no MX records; other servers cannot find where to deliver its mail", publish);
        }

        var found = string.Join(", ", mx.Records.OrderBy(r => r.Preference).Select(r => $"{r.Preference} {r.Exchange}"));
        if (mx.Records.All(r => r.Exchange == "."))
        {
            return DomainCheckResult.Fail(Name, $"{context.Domain} publishes a null MX (RFC 7505): it declares that it accepts no mail", publish);
        }

        return context.MxPointsHere
            ? DomainCheckResult.Ok(Name, $"{context.Domain} MX {found}")
            : DomainCheckResult.Warn(Name, $"{context.Domain} MX {found}: none is {context.Hostname}, so mail reaches this host only if those servers forward it", publish);
    }
}
