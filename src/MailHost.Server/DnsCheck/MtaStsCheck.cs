using System.Globalization;
using MailHost.Dns;

namespace MailHost.Server.DnsCheck;

/// <summary>
/// MTA-STS (RFC 8461): <c>_mta-sts.&lt;domain&gt;</c> announces a policy that tells senders to require TLS to the MX.
/// Optional, so missing or unusable is a WARN. Only the TXT record is checked: the HTTPS policy it announces is not
/// fetched.
/// </summary>
internal sealed class MtaStsCheck : IDomainCheck
{
    private const string Name = "MTA-STS";
    private const string Version = "v=STSv1";

    // RFC 8461 §3.1: sts-id = 1*32(ALPHA / DIGIT).
    private const int MaxIdLength = 32;

    public async ValueTask<IReadOnlyList<DomainCheckResult>> RunAsync(DomainCheckContext context, CancellationToken cancellationToken)
        => [await CheckAsync(context, cancellationToken).ConfigureAwait(false)];

    private static async Task<DomainCheckResult> CheckAsync(DomainCheckContext context, CancellationToken cancellationToken)
    {
        var name = "_mta-sts." + context.Domain;
        var policyUrl = $"https://mta-sts.{context.Domain}/.well-known/mta-sts.txt";
        var id = context.Time.GetUtcNow().ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "01";
        var publish = ZoneRecords.Txt(name, $"{Version}; id={id}");
        var txt = await context.Dns.TxtAsync(name, cancellationToken).ConfigureAwait(false);
        if (txt.Status == DnsLookupStatus.TemporaryFailure)
        {
            return DomainCheckResult.CouldNotCheck(Name, name, "TXT");
        }

        // §3.1: records not beginning with "v=STSv1" are discarded; not exactly one left means no policy.
        var records = txt.Records.Where(t => TxtTagList.HasVersion(t, Version)).ToList();
        var servePolicy = $"serve {policyUrl} (\"version: STSv1\", \"mode: testing\", \"mx: {context.Hostname}\", \"max_age: 604800\")";
        if (records.Count == 0)
        {
            return DomainCheckResult.Warn(Name, $"{name} has no {Version} record; senders may deliver to {context.Domain} without TLS. To announce a policy, {servePolicy} and publish:", publish);
        }

        if (records.Count > 1)
        {
            return DomainCheckResult.Warn(Name, $"{name} has {records.Count} {Version} records; senders then assume no policy (RFC 8461 §3.1). Keep one", publish);
        }

        var recordId = TxtTagList.Parse(records[0]).GetValueOrDefault("id");
        if (recordId is not { Length: > 0 and <= MaxIdLength } || !recordId.All(char.IsAsciiLetterOrDigit))
        {
            return DomainCheckResult.Warn(Name, $"\"{records[0]}\" has no valid id (1 to 32 letters and digits, RFC 8461 §3.1); senders ignore it", publish);
        }

        return DomainCheckResult.Ok(Name, $"\"{records[0]}\"; the policy at {policyUrl} is not fetched: check that it lists mx: {context.Hostname}");
    }
}
