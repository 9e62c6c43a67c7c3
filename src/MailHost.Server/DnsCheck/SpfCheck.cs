using MailHost.Dns;
using MailHost.MailAuthentication;
using MailHost.Protocols.MailAuthentication;

namespace MailHost.Server.DnsCheck;

/// <summary>
/// SPF (RFC 7208): the domain's one <c>v=spf1</c> record must authorise every address this host sends from. The
/// record is evaluated with the same check_host() the MX applies to incoming mail, for each address of the Hostname,
/// so <c>mx</c>, <c>a</c>, <c>ip4</c>/<c>ip6</c>, <c>include:</c> and <c>redirect=</c> all count as receivers count them.
/// </summary>
internal sealed class SpfCheck : IDomainCheck
{
    private const string Name = "SPF";

    // RFC 7208 §4.6.4 suggests 2 void lookups; the MX uses the same default.
    private const int VoidLookupLimit = 2;

    // All lookups of one evaluation together, as the MX bounds one message's checks.
    private static readonly TimeSpan EvaluationBudget = TimeSpan.FromSeconds(20);

    public async ValueTask<IReadOnlyList<DomainCheckResult>> RunAsync(DomainCheckContext context, CancellationToken cancellationToken)
        => [await CheckAsync(context, cancellationToken).ConfigureAwait(false)];

    private static async Task<DomainCheckResult> CheckAsync(DomainCheckContext context, CancellationToken cancellationToken)
    {
        var domain = context.Domain;
        var txt = await context.Dns.TxtAsync(domain, cancellationToken).ConfigureAwait(false);
        if (txt.Status == DnsLookupStatus.TemporaryFailure)
        {
            return DomainCheckResult.CouldNotCheck(Name, domain, "TXT");
        }

        var authorisation = context.MxPointsHere ? "mx" : "a:" + context.Hostname;
        var records = txt.Records.Where(SpfRecord.IsSpfRecord).ToList();
        if (records.Count == 0)
        {
            return DomainCheckResult.Fail(
                Name, $"{domain} has no v=spf1 record; receivers cannot tell that this host may send its mail", Suggest(domain, null, authorisation));
        }

        if (records.Count > 1)
        {
            // §4.5: more than one record is a permerror for every message; keep one.
            return DomainCheckResult.Warn(
                Name,
                $"{domain} has {records.Count} v=spf1 records; receivers treat that as permerror (RFC 7208 §4.5). Replace them with one",
                Suggest(domain, null, authorisation));
        }

        var record = records[0];
        if (context.HostAddresses.Status != DnsLookupStatus.Found)
        {
            return DomainCheckResult.Warn(Name, $"\"{record}\" found, but could not check it: {context.Hostname} has no addresses to evaluate");
        }

        foreach (var address in context.HostAddresses.Records)
        {
            using var budget = new CancellationTokenSource(EvaluationBudget, context.Time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(budget.Token, cancellationToken);
            var dns = new MailAuthenticationDns(context.Dns.Resolver, context.Dns.LookupTimeout, context.Time, linked.Token);
            var verdict = await SpfEvaluator.CheckAsync(dns, VoidLookupLimit, address, "postmaster", domain, context.Hostname, "mailfrom").ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            switch (verdict.Result)
            {
                case SpfResult.Pass:
                    continue;
                case SpfResult.TempError:
                    return DomainCheckResult.Warn(Name, $"\"{record}\" found, but could not check it for {address}: {verdict.Reason}");
                case SpfResult.PermError:
                    return DomainCheckResult.Fail(
                        Name, $"\"{record}\" is broken (permerror: {verdict.Reason}); receivers ignore it", Suggest(domain, null, authorisation));
                default:
                    return DomainCheckResult.Fail(
                        Name,
                        $"\"{record}\" does not authorise {address} ({verdict.Result.ToString().ToLowerInvariant()}: {verdict.Reason}); mail this host sends for {domain} fails SPF",
                        Suggest(domain, record, authorisation));
            }
        }

        return DomainCheckResult.Ok(Name, $"\"{record}\" authorises {string.Join(", ", context.HostAddresses.Records)}");
    }

    /// <summary>
    /// The record to publish: the existing one with this host's term put first (so it matches before any <c>all</c>
    /// or <c>redirect=</c>), or a new one that allows this host only.
    /// </summary>
    private static string Suggest(string domain, string? existing, string authorisation)
    {
        var rest = existing is null ? "-all" : existing["v=spf1".Length..].Trim();
        return ZoneRecords.Txt(domain, $"v=spf1 {authorisation}{(rest.Length > 0 ? " " + rest : "")}");
    }
}
