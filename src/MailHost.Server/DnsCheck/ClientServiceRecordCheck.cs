using MailHost.Dns;
using MailHost.Hosting;

namespace MailHost.Server.DnsCheck;

/// <summary>
/// Client onboarding, RFC 6186 (and RFC 8314 §5.1 for <c>_submissions</c>): mail clients find the IMAP, POP3 and
/// submission servers of an address's domain through SRV records. One line per service MailHost is configured to
/// offer, with the configured port; none for the MX endpoint (the MX record does that) or a loopback-only endpoint.
/// </summary>
internal sealed class ClientServiceRecordCheck : IDomainCheck
{
    private const string Name = "SRV";

    // RFC 6186 §3.4: priority and weight are the operator's; 0 and 1 suit a single server.
    private const int Priority = 0;
    private const int Weight = 1;

    public async ValueTask<IReadOnlyList<DomainCheckResult>> RunAsync(DomainCheckContext context, CancellationToken cancellationToken)
    {
        var services = context.Setup.Endpoints
            .Where(e => e.Enabled && !e.IsLocalhost && !(e.Address is { } a && System.Net.IPAddress.IsLoopback(a)))
            .Select(e => (Service: ServiceName(e.Options), e.Port))
            .Where(s => s.Service is not null)
            .GroupBy(s => s.Service!, s => s.Port)
            .ToList();
        var results = new List<DomainCheckResult>(services.Count);
        foreach (var service in services)
        {
            results.Add(await CheckAsync(context, service.Key, [.. service.Distinct()], cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    /// <summary>The RFC 6186 service label of an endpoint, or <see langword="null"/> for the MX.</summary>
    private static string? ServiceName(MailEndpointOptions options)
    {
        var implicitTls = options.Tls == MailTlsMode.Implicit;
        return options.Protocol switch
        {
            MailProtocol.Imap => implicitTls ? "_imaps._tcp" : "_imap._tcp",
            MailProtocol.Pop3 => implicitTls ? "_pop3s._tcp" : "_pop3._tcp",
            MailProtocol.Submission => implicitTls ? "_submissions._tcp" : "_submission._tcp",
            _ => null,
        };
    }

    private static async Task<DomainCheckResult> CheckAsync(DomainCheckContext context, string service, IReadOnlyList<int> ports, CancellationToken cancellationToken)
    {
        var name = $"{service}.{context.Domain}";
        var publish = ZoneRecords.Srv(name, Priority, Weight, ports[0], context.Hostname);
        var srv = await context.Dns.SrvAsync(name, cancellationToken).ConfigureAwait(false);
        if (srv.Status == DnsLookupStatus.TemporaryFailure)
        {
            return DomainCheckResult.CouldNotCheck(Name, name, "SRV");
        }

        var match = srv.Records.FirstOrDefault(r => string.Equals(r.Target, context.Hostname, StringComparison.OrdinalIgnoreCase) && ports.Contains(r.Port));
        if (match is not null)
        {
            return DomainCheckResult.Ok(Name, $"{name} SRV {match.Priority} {match.Weight} {match.Port} {match.Target}");
        }

        var found = srv.Status != DnsLookupStatus.Found ? "is not published"
            : srv.Records.All(r => r.Target == ".") ? "says the service is not offered (target \".\", RFC 2782)"
            : "points to " + string.Join(", ", srv.Records.Select(r => $"{r.Target}:{r.Port}"));
        return DomainCheckResult.Warn(Name, $"{name} {found}; mail clients that look it up (RFC 6186) will not find this host's service", publish);
    }
}
