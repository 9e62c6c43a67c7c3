using MailHost.Dkim;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;

namespace MailHost.Tests.Delivery;

/// <summary>Answers DKIM key queries from published TXT record texts, the way a verifier's DNS lookup would.</summary>
public sealed class DkimRecordLocator : DkimPublicKeyLocatorBase
{
    private readonly Dictionary<string, string> _records = new(StringComparer.OrdinalIgnoreCase);

    public int Queries { get; private set; }

    /// <summary>Publishes the record of <paramref name="key"/>; returns the record text.</summary>
    public string Publish(DkimKey key)
    {
        DkimKeys.TryGetDnsRecord(key, out var record, out var problem).Should().BeTrue(problem);
        _records[DkimKeys.RecordName(key)] = record!;
        return record!;
    }

    public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default)
    {
        Queries++;
        return _records.TryGetValue(selector + "._domainkey." + domain, out var record)
            ? GetPublicKey(record)
            : throw new InvalidOperationException("No DKIM record at " + selector + "._domainkey." + domain);
    }

    public override Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default)
        => Task.FromResult(LocatePublicKey(methods, domain, selector, cancellationToken));

    /// <summary>Verifies every DKIM-Signature field of <paramref name="message"/>; one result per field, top first.</summary>
    public async Task<IReadOnlyList<bool>> VerifyAllAsync(MimeKit.MimeMessage message)
    {
        var verifier = new DkimVerifier(this);
        var results = new List<bool>();
        foreach (var header in message.Headers.Where(h => h.Id == MimeKit.HeaderId.DkimSignature).ToList())
        {
            results.Add(await verifier.VerifyAsync(message, header).WaitAsync(TimeSpan.FromSeconds(30)));
        }

        return results;
    }
}
