using MailHost.Dkim;
using MailHost.Dns;
using MailHost.Protocols.MailAuthentication;

namespace MailHost.Server.DnsCheck;

/// <summary>
/// DKIM (RFC 6376 §3.6.2.1): the public half of the key MailHost signs the domain's mail with must be published at
/// <c>&lt;selector&gt;._domainkey.&lt;domain&gt;</c>; otherwise every signature fails and DMARC sees no aligned pass.
/// </summary>
internal sealed class DkimCheck : IDomainCheck
{
    private const string Name = "DKIM";

    public async ValueTask<IReadOnlyList<DomainCheckResult>> RunAsync(DomainCheckContext context, CancellationToken cancellationToken)
        => [await CheckAsync(context, cancellationToken).ConfigureAwait(false)];

    private static async Task<DomainCheckResult> CheckAsync(DomainCheckContext context, CancellationToken cancellationToken)
    {
        var key = context.Setup.DkimKey;
        if (key is null)
        {
            return DomainCheckResult.Warn(
                Name, $"MailHost has no DKIM key for {context.Domain}, so its mail goes out unsigned; run 'mailhost domains dkim {context.Domain}' and publish the record it prints");
        }

        if (!DkimKeys.TryGetDnsRecord(key, out var expected, out var problem))
        {
            return DomainCheckResult.Fail(
                Name, $"the DKIM key of {context.Domain} (selector {key.Selector}) cannot be used: {problem}; replace it with 'mailhost domains dkim {context.Domain} --rotate'");
        }

        var name = DkimKeys.RecordName(key);
        var publish = ZoneRecords.Txt(name, expected);
        var txt = await context.Dns.TxtAsync(name, cancellationToken).ConfigureAwait(false);
        if (txt.Status == DnsLookupStatus.TemporaryFailure)
        {
            return DomainCheckResult.CouldNotCheck(Name, name, "TXT");
        }

        if (txt.Status != DnsLookupStatus.Found)
        {
            return DomainCheckResult.Fail(Name, $"{name} is not published; receivers cannot verify the signatures on {context.Domain}'s mail", publish);
        }

        // Compare decoded keys, not texts: tag order, spacing and the string split may differ.
        if (!DkimKeyRecord.TryParse(expected, out var ours, out var ownProblem))
        {
            return DomainCheckResult.Fail(Name, $"the DKIM record of {context.Domain} does not parse ({ownProblem}); replace the key with 'mailhost domains dkim {context.Domain} --rotate'");
        }

        var published = txt.Records.Select(t => DkimKeyRecord.TryParse(t, out var r, out _) ? r : null).OfType<DkimKeyRecord>().ToList();
        if (published.Any(r => r.KeyType == ours!.KeyType && r.PublicKey.Span.SequenceEqual(ours.PublicKey.Span)))
        {
            return DomainCheckResult.Ok(Name, $"{name} publishes the key MailHost signs with ({key.Algorithm})");
        }

        var found = published.Count == 0 ? "holds no valid DKIM key record" : "publishes a different key";
        return DomainCheckResult.Fail(Name, $"{name} {found}; signatures on {context.Domain}'s mail fail", publish);
    }
}
