using MailHost.Accounts;
using MailHost.Dkim;
using MailHost.Dns;
using MailHost.Hosting;
using MailHost.Server.DnsCheck;

namespace MailHost.Server.Administration.Operations;

/// <summary>A local domain with the DKIM record to publish for it (null while it has no key).</summary>
internal sealed record DomainView(string Name, string? DkimSelector, string? DkimRecordName, string? DkimRecord);

/// <summary>
/// The domain changes of the console and the API, audited: local domains, and their DKIM keys where outbound delivery
/// (and with it the key store) is on.
/// </summary>
internal sealed class DomainOperations(
    IAccountAdministration accounts, AdminAudit audit, TimeProvider time, IConfiguration configuration, IDnsResolver? resolver = null, IDkimKeyStore? keys = null)
{
    /// <summary>Whether DKIM keys can be made here (outbound delivery is on).</summary>
    public bool SignsMail => keys is not null;

    public async Task<IReadOnlyList<DomainView>> ListAsync(CancellationToken cancellationToken)
    {
        var names = await accounts.ListDomainsAsync(cancellationToken).ConfigureAwait(false);
        var views = new List<DomainView>(names.Count);
        foreach (var name in names)
        {
            views.Add(await ViewAsync(name, cancellationToken).ConfigureAwait(false));
        }

        return views;
    }

    /// <summary>One local domain, or null when it is not one.</summary>
    public async Task<DomainView?> GetAsync(string domain, CancellationToken cancellationToken)
    {
        var canonical = MailAddressCanonicalizer.CanonicalizeDomain(domain);
        var names = await accounts.ListDomainsAsync(cancellationToken).ConfigureAwait(false);
        return canonical is not null && names.Contains(canonical, StringComparer.Ordinal) ? await ViewAsync(canonical, cancellationToken).ConfigureAwait(false) : null;
    }

    public async Task<AccountAdministrationResult> AddAsync(AdminActor actor, string domain, CancellationToken cancellationToken)
    {
        var result = await accounts.AddDomainAsync(domain, cancellationToken).ConfigureAwait(false);
        return await audit.RecordAsync(actor, AuditActions.DomainCreate, Canonical(domain), result, cancellationToken).ConfigureAwait(false);
    }

    public async Task<AccountAdministrationResult> RemoveAsync(AdminActor actor, string domain, CancellationToken cancellationToken)
    {
        var result = await accounts.RemoveDomainAsync(domain, cancellationToken).ConfigureAwait(false);
        return await audit.RecordAsync(actor, AuditActions.DomainRemove, Canonical(domain), result, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Makes the domain's first DKIM key, or with <paramref name="rotate"/> a successor; null and the reason when refused.</summary>
    public async Task<(DomainView? Domain, string? Problem)> CreateDkimKeyAsync(AdminActor actor, string domain, bool rotate, CancellationToken cancellationToken)
    {
        if (keys is null)
        {
            return (null, "Outbound delivery is off (MailHost:Outbound:Enabled), so mail is not signed and there is no key store.");
        }

        if (await GetAsync(domain, cancellationToken).ConfigureAwait(false) is not { } view)
        {
            return (null, $"'{domain}' is not a local domain.");
        }

        var current = await keys.GetAsync(view.Name, cancellationToken).ConfigureAwait(false);
        if (current is not null && !rotate)
        {
            return (null, $"{view.Name} already has a DKIM key (selector {current.Selector}); rotate it to make a new one.");
        }

        var (key, problem) = DkimKeyIssuer.Create(view.Name, null, null, current, time.GetUtcNow());
        if (key is null)
        {
            return (null, problem);
        }

        var saved = await keys.SaveAsync(key, cancellationToken).ConfigureAwait(false);
        if (!saved.IsSuccess)
        {
            return (null, saved.Error.Message);
        }

        await audit.RecordAsync(actor, current is null ? AuditActions.DkimCreate : AuditActions.DkimRotate, view.Name, "selector " + key.Selector, cancellationToken).ConfigureAwait(false);
        return (await ViewAsync(view.Name, cancellationToken).ConfigureAwait(false), null);
    }

    /// <summary>
    /// The DNS check of <c>mailhost domains check</c> for a local domain (MX, addresses, PTR, SPF, DKIM, DMARC, ...), or
    /// null when it is not one.
    /// </summary>
    public async Task<IReadOnlyList<DomainCheckResult>?> CheckAsync(string domain, CancellationToken cancellationToken)
    {
        if (await GetAsync(domain, cancellationToken).ConfigureAwait(false) is not { } view)
        {
            return null;
        }

        var hostname = (configuration["MailHost:Hostname"] is { Length: > 0 } configured ? configured : new MailHostOptions().Hostname).TrimEnd('.').ToLowerInvariant();
        var key = keys is null ? null : await keys.GetAsync(view.Name, cancellationToken).ConfigureAwait(false);
        var setup = new DomainSetup(
            view.Name,
            hostname,
            key,
            MailEndpointConfigurationReader.Read(configuration.GetSection("MailHost:Endpoints")),
            ServedCertificate.Load(configuration, hostname));
        try
        {
            var dns = new DnsCheckLookups(resolver ?? new DnsClientResolver(), DnsCheckLookups.DefaultLookupTimeout, time);
            return await DomainChecker.Default.RunAsync(setup, dns, time, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            setup.Certificate.Certificate?.Dispose();
        }
    }

    private async Task<DomainView> ViewAsync(string name, CancellationToken cancellationToken)
    {
        if (keys is null || await keys.GetAsync(name, cancellationToken).ConfigureAwait(false) is not { } key
            || !DkimKeys.TryGetDnsRecord(key, out var record, out _))
        {
            return new DomainView(name, null, null, null);
        }

        return new DomainView(name, key.Selector, DkimKeys.RecordName(key), record);
    }

    private static string Canonical(string domain) => MailAddressCanonicalizer.CanonicalizeDomain(domain) ?? domain;
}
