using MailHost.Dkim;
using MailHost.Dns;
using MailHost.Protocols.MailAuthentication;

namespace MailHost.MailAuthentication;

/// <summary>
/// DMARC (RFC 7489): policy discovery at <c>_dmarc.</c> the From domain, then at its organizational domain
/// (§6.6.3); identifier alignment of SPF and DKIM (§3.1); the result and the policy to apply (§6.6.4, <c>pct</c>).
/// No reports are sent (<c>rua</c>/<c>ruf</c> are parsed only).
/// </summary>
internal sealed class DmarcEvaluator(MailAuthenticationDns dns, PublicSuffixList suffixes, Func<int> percentRoll)
{
    /// <summary>Evaluates the From domain against the SPF and DKIM results.</summary>
    public async ValueTask<DmarcVerdict> EvaluateAsync(string fromDomain, SpfVerdict spf, IReadOnlyList<DkimVerdict> dkim)
    {
        var organizational = suffixes.GetOrganizationalDomain(fromDomain);
        var (record, recordDomain, failure) = await DiscoverAsync(fromDomain, organizational).ConfigureAwait(false);
        if (failure is not null)
        {
            return failure with { FromDomain = fromDomain };
        }

        if (record is null)
        {
            return new DmarcVerdict(DmarcResult.None, fromDomain, $"no DMARC record for {fromDomain}");
        }

        // §6.3 sp=: the subdomain policy applies when the record was found at the organizational domain, above the From domain.
        var requested = recordDomain != fromDomain && record.SubdomainPolicy is { } sp ? sp : record.Policy!.Value;

        var spfAligned = spf.Result == SpfResult.Pass && spf.Domain is not null && Aligned(spf.Domain, fromDomain, record.SpfAlignment);
        var dkimAligned = dkim.FirstOrDefault(v => v.Result == DkimResult.Pass && !v.IsTesting && v.Domain is not null && Aligned(v.Domain, fromDomain, record.DkimAlignment));
        var verdict = new DmarcVerdict(DmarcResult.Pass, fromDomain, "")
        {
            RequestedPolicy = requested,
            AppliedPolicy = DmarcPolicy.None,
            RecordDomain = recordDomain,
            Record = record,
        };
        if (dkimAligned is not null)
        {
            return verdict with { Reason = $"aligned DKIM pass for {dkimAligned.Domain}" };
        }

        if (spfAligned)
        {
            return verdict with { Reason = $"aligned SPF pass for {spf.Domain}" };
        }

        // A temporary error on an aligned identifier could still have passed: not a failure yet.
        var spfTemporary = spf.Result == SpfResult.TempError && spf.Domain is not null && Aligned(spf.Domain, fromDomain, record.SpfAlignment);
        var dkimTemporary = dkim.Any(v => v.Result == DkimResult.TempError && v.Domain is not null && Aligned(v.Domain, fromDomain, record.DkimAlignment));
        if (spfTemporary || dkimTemporary)
        {
            return verdict with { Result = DmarcResult.TempError, Reason = "an aligned identifier had a temporary error" };
        }

        // §6.6.4 and §6.3 pct=: a message left out of the sample gets the next lower policy.
        var applied = requested;
        if (record.Percent < 100 && percentRoll() >= record.Percent)
        {
            applied = requested switch
            {
                DmarcPolicy.Reject => DmarcPolicy.Quarantine,
                _ => DmarcPolicy.None,
            };
        }

        return verdict with { Result = DmarcResult.Fail, AppliedPolicy = applied, Reason = "no aligned identifier passed" };
    }

    /// <summary>§6.6.3: the From domain's record, else the organizational domain's; several records mean no DMARC.</summary>
    private async ValueTask<(DmarcRecord? Record, string? Domain, DmarcVerdict? Failure)> DiscoverAsync(string fromDomain, string organizational)
    {
        string[] domains = organizational == fromDomain ? [fromDomain] : [fromDomain, organizational];
        foreach (var domain in domains)
        {
            var txt = await dns.TxtAsync("_dmarc." + domain).ConfigureAwait(false);
            if (txt.Status == DnsLookupStatus.TemporaryFailure)
            {
                return (null, null, new DmarcVerdict(DmarcResult.TempError, fromDomain, $"DNS failure looking up _dmarc.{domain}"));
            }

            var records = txt.Records.Where(DmarcRecord.IsDmarcRecord).ToList();
            if (records.Count > 1)
            {
                // §6.6.3 step 3: multiple records end policy discovery; DMARC does not apply.
                return (null, null, new DmarcVerdict(DmarcResult.None, fromDomain, $"_dmarc.{domain} has {records.Count} DMARC records"));
            }

            if (records.Count == 1)
            {
                return DmarcRecord.TryParse(records[0], out var record, out var error)
                    ? (record, domain, null)
                    : (null, null, new DmarcVerdict(DmarcResult.PermError, fromDomain, $"_dmarc.{domain}: {error}") { RecordDomain = domain });
            }
        }

        return (null, null, null);
    }

    /// <summary>§3.1.1 and §3.1.2: strict needs identical domains; relaxed needs the same organizational domain.</summary>
    private bool Aligned(string authenticated, string fromDomain, DmarcAlignmentMode mode)
        => mode == DmarcAlignmentMode.Strict
            ? authenticated.Equals(fromDomain, StringComparison.OrdinalIgnoreCase)
            : suffixes.GetOrganizationalDomain(authenticated).Equals(suffixes.GetOrganizationalDomain(fromDomain), StringComparison.OrdinalIgnoreCase);
}
