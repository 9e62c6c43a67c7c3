using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailHost.Dkim;
using MailHost.Dns;
using MailHost.Hosting;
using MailHost.Server.DnsCheck;
using MailHost.Tests.Delivery;
using MailHost.Tests.Storage;
using Microsoft.Extensions.Configuration;

namespace MailHost.Tests.DnsCheck;

/// <summary>
/// example.com served by mail.example.com with everything published as <c>domains check</c> wants it; a test
/// removes or changes one record and runs the checks.
/// </summary>
internal sealed class CorrectDomain : IDisposable
{
    public const string Domain = "example.com";
    public const string Hostname = "mail.example.com";

    public static readonly IPAddress V4 = IPAddress.Parse("192.0.2.10");
    public static readonly IPAddress V6 = IPAddress.Parse("2001:db8::10");

    public CorrectDomain()
    {
        var dkimKey = DkimKeys.Create(Domain, "sel", DkimAlgorithms.Ed25519Sha256, Time.GetUtcNow());
        DkimKeys.TryGetDnsRecord(dkimKey, out var dkimRecord, out _).Should().BeTrue();
        DkimKey = dkimKey;
        DkimRecord = dkimRecord!;

        Zone.Mx[Domain] = [new DnsMxRecord(10, Hostname)];
        Zone.Addresses[Hostname] = [V6, V4];
        Zone.Reverse[V4] = [Hostname];
        Zone.Reverse[V6] = [Hostname];
        Zone.Txt[Domain] = ["v=spf1 mx -all"];
        Zone.Txt["sel._domainkey." + Domain] = [DkimRecord];
        Zone.Txt["_dmarc." + Domain] = ["v=DMARC1; p=reject; rua=mailto:postmaster@example.com"];
        Zone.Txt["_mta-sts." + Domain] = ["v=STSv1; id=2026120601"];
        Zone.Txt["_smtp._tls." + Domain] = ["v=TLSRPTv1; rua=mailto:tls-reports@example.com"];
        Zone.Srv["_imaps._tcp." + Domain] = [new DnsSrvRecord(0, 1, 993, Hostname)];
        Zone.Srv["_submission._tcp." + Domain] = [new DnsSrvRecord(0, 1, 587, Hostname)];
        Zone.Srv["_pop3s._tcp." + Domain] = [new DnsSrvRecord(0, 1, 995, Hostname)];
        Zone.Cname["autoconfig." + Domain] = [Hostname];
        Zone.Cname["autodiscover." + Domain] = [Hostname];

        Endpoints = ReadEndpoints(new()
        {
            ["MailHost:Endpoints:Smtp:Url"] = "smtp://*:25",
            ["MailHost:Endpoints:Imaps:Url"] = "imaps://*:993",
            ["MailHost:Endpoints:Pop3s:Url"] = "pop3s://*:995",
            ["MailHost:Endpoints:Submission:Url"] = "submission://*:587",
        });
        Certificate = IssueCertificate(Hostname, Time.GetUtcNow().AddDays(-10), Time.GetUtcNow().AddDays(80));
    }

    /// <summary>2026-12-06 12:00 UTC: the certificates' validity and the suggested MTA-STS id are relative to it.</summary>
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));

    public FakeDnsZone Zone { get; } = new();

    public DkimKey? DkimKey { get; set; }

    public string DkimRecord { get; }

    public IReadOnlyList<MailEndpointDefinition> Endpoints { get; set; }

    public ServedCertificate Certificate { get; set; }

    public TimeSpan LookupTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public static IReadOnlyList<MailEndpointDefinition> ReadEndpoints(Dictionary<string, string?> settings)
        => MailEndpointConfigurationReader.Read(new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection("MailHost:Endpoints"));

    /// <summary>A certificate for <paramref name="dnsName"/> issued by a throwaway authority (so not self-signed).</summary>
    public static ServedCertificate IssueCertificate(string dnsName, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var authorityRequest = new CertificateRequest("CN=Test Authority", authorityKey, HashAlgorithmName.SHA256);
        authorityRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var authority = authorityRequest.CreateSelfSigned(notBefore.AddDays(-1), notAfter.AddDays(1));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + dnsName, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(dnsName);
        request.CertificateExtensions.Add(names.Build());
        return new ServedCertificate(request.Create(authority, notBefore, notAfter, [1, 2, 3, 4]), null);
    }

    /// <summary>A self-signed certificate for <paramref name="dnsName"/>, as an operator might configure by mistake.</summary>
    public static ServedCertificate SelfSignedCertificate(string dnsName, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + dnsName, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(dnsName);
        request.CertificateExtensions.Add(names.Build());
        return new ServedCertificate(request.CreateSelfSigned(notBefore, notAfter), null);
    }

    public Task<IReadOnlyList<DomainCheckResult>> CheckAsync() => CheckAsync(Zone);

    public async Task<IReadOnlyList<DomainCheckResult>> CheckAsync(IDnsResolver resolver)
    {
        var setup = new DomainSetup(Domain, Hostname, DkimKey, Endpoints, Certificate);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await DomainChecker.Default.RunAsync(setup, new DnsCheckLookups(resolver, LookupTimeout, Time), Time, timeout.Token).WaitAsync(TimeSpan.FromSeconds(30));
    }

    public void Dispose() => Certificate.Certificate?.Dispose();
}
