using MailHost.Dns;

namespace MailHost.Server.DnsCheck;

/// <summary>
/// TLS-RPT (RFC 8460): <c>_smtp._tls.&lt;domain&gt;</c> tells senders where to report failed TLS connections to the
/// MX. Optional, so missing or unusable is a WARN.
/// </summary>
internal sealed class TlsReportingCheck : IDomainCheck
{
    private const string Name = "TLS-RPT";
    private const string Version = "v=TLSRPTv1";

    public async ValueTask<IReadOnlyList<DomainCheckResult>> RunAsync(DomainCheckContext context, CancellationToken cancellationToken)
        => [await CheckAsync(context, cancellationToken).ConfigureAwait(false)];

    private static async Task<DomainCheckResult> CheckAsync(DomainCheckContext context, CancellationToken cancellationToken)
    {
        var name = "_smtp._tls." + context.Domain;
        var publish = ZoneRecords.Txt(name, $"{Version}; rua=mailto:postmaster@{context.Domain}");
        var txt = await context.Dns.TxtAsync(name, cancellationToken).ConfigureAwait(false);
        if (txt.Status == DnsLookupStatus.TemporaryFailure)
        {
            return DomainCheckResult.CouldNotCheck(Name, name, "TXT");
        }

        // RFC 8460 §3: records that do not begin with "v=TLSRPTv1" are discarded; more than one left means none.
        var records = txt.Records.Where(t => TxtTagList.HasVersion(t, Version)).ToList();
        if (records.Count == 0)
        {
            return DomainCheckResult.Warn(Name, $"{name} has no {Version} record; senders cannot report TLS failures with {context.Hostname}", publish);
        }

        if (records.Count > 1)
        {
            return DomainCheckResult.Warn(Name, $"{name} has {records.Count} {Version} records; senders then report nowhere (RFC 8460 §3). Keep one", publish);
        }

        // §3: rua is one or more comma-separated mailto: or https: URIs.
        var rua = TxtTagList.Parse(records[0]).GetValueOrDefault("rua") ?? "";
        var uris = rua.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return uris.Length > 0 && uris.All(u => u.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) || u.StartsWith("https:", StringComparison.OrdinalIgnoreCase))
            ? DomainCheckResult.Ok(Name, $"\"{records[0]}\"")
            : DomainCheckResult.Warn(Name, $"\"{records[0]}\" has no usable rua= (mailto: or https: URIs, RFC 8460 §3)", publish);
    }
}
