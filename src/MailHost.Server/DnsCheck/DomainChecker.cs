namespace MailHost.Server.DnsCheck;

/// <summary>
/// Runs every check of <c>domains check</c> against one domain: asks the answers several checks share once, then runs
/// the checks side by side (so a dead resolver costs one lookup timeout, not one per lookup) and returns their lines
/// in a fixed order.
/// </summary>
internal sealed class DomainChecker(IReadOnlyList<IDomainCheck> checks)
{
    /// <summary>Every check, in the order they are printed: where mail arrives, then what receivers verify, then clients.</summary>
    public static DomainChecker Default { get; } = new(
    [
        new MxCheck(), new HostAddressCheck(), new ReverseDnsCheck(), new SpfCheck(), new DkimCheck(), new DmarcCheck(),
        new MtaStsCheck(), new TlsReportingCheck(), new ClientServiceRecordCheck(), new AutoconfigCheck(), new CertificateCheck(),
    ]);

    public async Task<IReadOnlyList<DomainCheckResult>> RunAsync(DomainSetup setup, DnsCheckLookups dns, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(dns);
        var mx = dns.MxAsync(setup.Domain, cancellationToken).AsTask();
        var hostAddresses = dns.AddressesAsync(setup.Hostname, cancellationToken).AsTask();
        var context = new DomainCheckContext(setup, dns, await mx.ConfigureAwait(false), await hostAddresses.ConfigureAwait(false), time);

        var running = checks.Select(c => c.RunAsync(context, cancellationToken).AsTask()).ToList();
        var lines = await Task.WhenAll(running).ConfigureAwait(false);
        return [.. lines.SelectMany(l => l)];
    }
}
