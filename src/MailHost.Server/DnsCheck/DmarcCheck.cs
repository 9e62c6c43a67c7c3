using MailHost.Dns;
using MailHost.Protocols.MailAuthentication;

namespace MailHost.Server.DnsCheck;

/// <summary>
/// DMARC (RFC 7489): <c>_dmarc.&lt;domain&gt;</c> should publish one <c>v=DMARC1</c> policy. Missing is a WARN (mail
/// still flows; large receivers increasingly ask for one); a record receivers cannot use is a FAIL.
/// </summary>
internal sealed class DmarcCheck : IDomainCheck
{
    private const string Name = "DMARC";

    public async ValueTask<IReadOnlyList<DomainCheckResult>> RunAsync(DomainCheckContext context, CancellationToken cancellationToken)
        => [await CheckAsync(context, cancellationToken).ConfigureAwait(false)];

    private static async Task<DomainCheckResult> CheckAsync(DomainCheckContext context, CancellationToken cancellationToken)
    {
        var name = "_dmarc." + context.Domain;
        var publish = ZoneRecords.Txt(name, $"v=DMARC1; p=none; rua=mailto:postmaster@{context.Domain}");
        var txt = await context.Dns.TxtAsync(name, cancellationToken).ConfigureAwait(false);
        if (txt.Status == DnsLookupStatus.TemporaryFailure)
        {
            return DomainCheckResult.CouldNotCheck(Name, name, "TXT");
        }

        // Anything that looks like a DMARC record, so that "v=dmarc1" (the version is case-sensitive) is reported as
        // malformed rather than missing.
        var candidates = txt.Records.Where(t => t.TrimStart().StartsWith("v=DMARC", StringComparison.OrdinalIgnoreCase)).ToList();
        if (candidates.Count == 0)
        {
            return DomainCheckResult.Warn(Name, $"{name} has no v=DMARC1 record; receivers apply no policy to forged mail from {context.Domain}", publish);
        }

        var records = candidates.Where(DmarcRecord.IsDmarcRecord).ToList();
        if (records.Count != 1)
        {
            // RFC 7489 §6.6.3 step 5: with more than one record (or none that is valid) no policy applies.
            var found = records.Count == 0 ? $"\"{candidates[0]}\" is not a valid DMARC record (the version must be exactly v=DMARC1)" : $"{records.Count} DMARC records; receivers apply none (RFC 7489 §6.6.3)";
            return DomainCheckResult.Fail(Name, $"{name}: {found}", publish);
        }

        return DmarcRecord.TryParse(records[0], out var record, out var error)
            ? DomainCheckResult.Ok(Name, $"\"{records[0]}\" (p={record!.Policy.ToString()!.ToLowerInvariant()})")
            : DomainCheckResult.Fail(Name, $"\"{records[0]}\" is malformed: {error}", publish);
    }
}
