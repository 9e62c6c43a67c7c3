using MailHost.Dkim;
using MailHost.Dns;
using MailHost.Server.DnsCheck;

namespace MailHost.Tests.DnsCheck;

public sealed class DomainCheckerTests : IDisposable
{
    private readonly CorrectDomain _domain = new();

    public void Dispose() => _domain.Dispose();

    [Fact]
    public async Task A_fully_correct_domain_is_all_OK()
    {
        var results = await _domain.CheckAsync();

        results.Should().OnlyContain(r => r.Status == DomainCheckStatus.Ok, string.Join("\n", results));
        results.Select(r => r.Check).Should().Equal(
            "MX", "A/AAAA", "PTR", "PTR", "SPF", "DKIM", "DMARC", "MTA-STS", "TLS-RPT", "SRV", "SRV", "SRV", "CNAME", "CNAME", "TLS cert", "TLS cert", "TLS cert");
        results.Should().OnlyContain(r => r.Publish == null);
    }

    [Fact]
    public async Task No_MX_fails_with_the_MX_record_to_publish()
    {
        _domain.Zone.Mx.Remove(CorrectDomain.Domain);

        var line = await SingleAsync("MX");

        line.Status.Should().Be(DomainCheckStatus.Fail);
        line.Publish.Should().Be("example.com. IN MX 10 mail.example.com.");
    }

    [Fact]
    public async Task An_MX_elsewhere_warns_and_SPF_suggests_the_host_by_name()
    {
        _domain.Zone.Mx[CorrectDomain.Domain] = [new DnsMxRecord(10, "mx.provider.example")];

        var mx = await SingleAsync("MX");
        var spf = await SingleAsync("SPF");

        mx.Status.Should().Be(DomainCheckStatus.Warn);
        mx.Message.Should().Contain("10 mx.provider.example");
        mx.Publish.Should().Be("example.com. IN MX 10 mail.example.com.");
        spf.Status.Should().Be(DomainCheckStatus.Fail, "v=spf1 mx no longer covers this host");
        spf.Publish.Should().Be("example.com. IN TXT \"v=spf1 a:mail.example.com mx -all\"");
    }

    [Fact]
    public async Task A_null_MX_fails()
    {
        _domain.Zone.Mx[CorrectDomain.Domain] = [new DnsMxRecord(0, ".")];

        var line = await SingleAsync("MX");

        line.Status.Should().Be(DomainCheckStatus.Fail);
        line.Message.Should().Contain("null MX");
    }

    [Fact]
    public async Task A_hostname_without_addresses_fails()
    {
        _domain.Zone.Addresses.Remove(CorrectDomain.Hostname);

        var results = await _domain.CheckAsync();

        var line = results.Single(r => r.Check == "A/AAAA");
        line.Status.Should().Be(DomainCheckStatus.Fail);
        line.Publish.Should().Be("mail.example.com. IN A <this host's public IPv4 address>");
        results.Should().NotContain(r => r.Check == "PTR");
    }

    [Fact]
    public async Task Missing_or_foreign_reverse_DNS_warns_with_the_PTR_record_for_each_address()
    {
        _domain.Zone.Reverse.Remove(CorrectDomain.V4);
        _domain.Zone.Reverse[CorrectDomain.V6] = ["static-10.provider.example"];

        var lines = (await _domain.CheckAsync()).Where(r => r.Check == "PTR").ToList();

        lines.Should().HaveCount(2).And.OnlyContain(r => r.Status == DomainCheckStatus.Warn);
        lines[0].Message.Should().StartWith("2001:db8::10 points to static-10.provider.example, not mail.example.com");
        lines[0].Publish.Should().Be("0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. IN PTR mail.example.com.");
        lines[1].Message.Should().StartWith("192.0.2.10 has no PTR record");
        lines[1].Publish.Should().Be("10.2.0.192.in-addr.arpa. IN PTR mail.example.com.");
    }

    [Fact]
    public async Task No_SPF_record_fails_with_the_suggested_record()
    {
        _domain.Zone.Txt[CorrectDomain.Domain] = ["google-site-verification=abc"];

        var line = await SingleAsync("SPF");

        line.Status.Should().Be(DomainCheckStatus.Fail);
        line.Publish.Should().Be("example.com. IN TXT \"v=spf1 mx -all\"");
    }

    [Fact]
    public async Task An_SPF_record_that_does_not_cover_the_host_fails_with_the_host_added_first()
    {
        _domain.Zone.Txt[CorrectDomain.Domain] = ["v=spf1 ip4:198.51.100.1 ~all"];

        var line = await SingleAsync("SPF");

        line.Status.Should().Be(DomainCheckStatus.Fail);
        line.Message.Should().Contain("does not authorise 2001:db8::10 (softfail");
        line.Publish.Should().Be("example.com. IN TXT \"v=spf1 mx ip4:198.51.100.1 ~all\"");
    }

    [Theory]
    [InlineData("v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/64 -all")]
    [InlineData("v=spf1 a:mail.example.com -all")]
    [InlineData("v=spf1 include:_spf.example.com -all")]
    [InlineData("v=spf1 redirect=_spf.example.com")]
    public async Task SPF_records_that_authorise_every_address_of_the_host_are_OK(string record)
    {
        _domain.Zone.Txt[CorrectDomain.Domain] = [record];
        _domain.Zone.Txt["_spf.example.com"] = ["v=spf1 ip4:192.0.2.10 ip6:2001:db8::10 -all"];

        var line = await SingleAsync("SPF");

        line.Status.Should().Be(DomainCheckStatus.Ok, line.Message);
    }

    [Fact]
    public async Task Two_SPF_records_warn_about_the_permerror()
    {
        _domain.Zone.Txt[CorrectDomain.Domain] = ["v=spf1 mx -all", "v=spf1 a -all"];

        var line = await SingleAsync("SPF");

        line.Status.Should().Be(DomainCheckStatus.Warn);
        line.Message.Should().Contain("2 v=spf1 records").And.Contain("RFC 7208 §4.5");
        line.Publish.Should().Be("example.com. IN TXT \"v=spf1 mx -all\"");
    }

    [Fact]
    public async Task An_unpublished_DKIM_key_fails_with_the_record_domains_dkim_prints()
    {
        _domain.Zone.Txt.Remove("sel._domainkey.example.com");

        var line = await SingleAsync("DKIM");

        line.Status.Should().Be(DomainCheckStatus.Fail);
        line.Publish.Should().Be($"sel._domainkey.example.com. IN TXT \"{_domain.DkimRecord}\"");
    }

    [Fact]
    public async Task A_DKIM_record_with_another_key_fails()
    {
        var other = DkimKeys.Create(CorrectDomain.Domain, "sel", DkimAlgorithms.Ed25519Sha256, _domain.Time.GetUtcNow());
        DkimKeys.TryGetDnsRecord(other, out var otherRecord, out _).Should().BeTrue();
        _domain.Zone.Txt["sel._domainkey.example.com"] = [otherRecord!];

        var line = await SingleAsync("DKIM");

        line.Status.Should().Be(DomainCheckStatus.Fail);
        line.Message.Should().Contain("publishes a different key");
        line.Publish.Should().Contain(_domain.DkimRecord);
    }

    [Fact]
    public async Task A_DKIM_record_with_other_spacing_is_the_same_key()
    {
        _domain.Zone.Txt["sel._domainkey.example.com"] = [_domain.DkimRecord.Replace("; ", ";", StringComparison.Ordinal)];

        (await SingleAsync("DKIM")).Status.Should().Be(DomainCheckStatus.Ok);
    }

    [Fact]
    public async Task No_DKIM_key_in_MailHost_warns_to_create_one()
    {
        _domain.DkimKey = null;

        var line = await SingleAsync("DKIM");

        line.Status.Should().Be(DomainCheckStatus.Warn);
        line.Message.Should().Contain("run 'mailhost domains dkim example.com'");
    }

    [Fact]
    public async Task No_DMARC_record_warns_with_a_p_none_suggestion()
    {
        _domain.Zone.Txt.Remove("_dmarc.example.com");

        var line = await SingleAsync("DMARC");

        line.Status.Should().Be(DomainCheckStatus.Warn);
        line.Publish.Should().Be("_dmarc.example.com. IN TXT \"v=DMARC1; p=none; rua=mailto:postmaster@example.com\"");
    }

    [Theory]
    [InlineData("v=DMARC1; p=bogus")]
    [InlineData("v=dmarc1; p=none")]
    public async Task A_malformed_DMARC_record_fails(string record)
    {
        _domain.Zone.Txt["_dmarc.example.com"] = [record];

        var line = await SingleAsync("DMARC");

        line.Status.Should().Be(DomainCheckStatus.Fail);
        line.Publish.Should().Be("_dmarc.example.com. IN TXT \"v=DMARC1; p=none; rua=mailto:postmaster@example.com\"");
    }

    [Fact]
    public async Task No_MTA_STS_record_warns_with_a_record_and_the_policy_to_serve()
    {
        _domain.Zone.Txt.Remove("_mta-sts.example.com");

        var line = await SingleAsync("MTA-STS");

        line.Status.Should().Be(DomainCheckStatus.Warn);
        line.Message.Should().Contain("https://mta-sts.example.com/.well-known/mta-sts.txt").And.Contain("mx: mail.example.com");
        line.Publish.Should().Be("_mta-sts.example.com. IN TXT \"v=STSv1; id=2026120601\"");
    }

    [Fact]
    public async Task An_MTA_STS_record_without_a_valid_id_warns()
    {
        _domain.Zone.Txt["_mta-sts.example.com"] = ["v=STSv1; id=not-valid!"];

        (await SingleAsync("MTA-STS")).Status.Should().Be(DomainCheckStatus.Warn);
    }

    [Fact]
    public async Task An_OK_MTA_STS_line_says_the_policy_is_not_fetched()
        => (await SingleAsync("MTA-STS")).Message.Should().Contain("is not fetched");

    [Fact]
    public async Task No_TLS_RPT_record_warns_with_the_record()
    {
        _domain.Zone.Txt.Remove("_smtp._tls.example.com");

        var line = await SingleAsync("TLS-RPT");

        line.Status.Should().Be(DomainCheckStatus.Warn);
        line.Publish.Should().Be("_smtp._tls.example.com. IN TXT \"v=TLSRPTv1; rua=mailto:postmaster@example.com\"");
    }

    [Fact]
    public async Task Missing_or_wrong_SRV_records_warn_with_the_configured_port()
    {
        _domain.Zone.Srv.Remove("_imaps._tcp.example.com");
        _domain.Zone.Srv["_submission._tcp.example.com"] = [new DnsSrvRecord(0, 1, 2525, CorrectDomain.Hostname)];

        var lines = (await _domain.CheckAsync()).Where(r => r.Check == "SRV").ToList();

        lines.Should().HaveCount(3);
        lines[0].Status.Should().Be(DomainCheckStatus.Warn);
        lines[0].Publish.Should().Be("_imaps._tcp.example.com. IN SRV 0 1 993 mail.example.com.");
        lines[1].Status.Should().Be(DomainCheckStatus.Ok, "_pop3s is published");
        lines[2].Status.Should().Be(DomainCheckStatus.Warn);
        lines[2].Message.Should().Contain("points to mail.example.com:2525");
        lines[2].Publish.Should().Be("_submission._tcp.example.com. IN SRV 0 1 587 mail.example.com.");
    }

    [Fact]
    public async Task SRV_records_follow_the_configured_endpoints_only()
    {
        _domain.Endpoints = CorrectDomain.ReadEndpoints(new()
        {
            ["MailHost:Endpoints:Imap:Url"] = "imap://*:1143",
            ["MailHost:Endpoints:Submissions:Url"] = "submissions://*:465",
            ["MailHost:Endpoints:Pop3:Url"] = "pop3://localhost:110",
            ["MailHost:Endpoints:Off:Url"] = "imaps://*:993",
            ["MailHost:Endpoints:Off:Enabled"] = "false",
        });

        var lines = (await _domain.CheckAsync()).Where(r => r.Check == "SRV").ToList();

        lines.Select(l => l.Publish).Should().Equal(
            "_imap._tcp.example.com. IN SRV 0 1 1143 mail.example.com.",
            "_submissions._tcp.example.com. IN SRV 0 1 465 mail.example.com.");
    }

    [Fact]
    public async Task Missing_autoconfig_names_warn_with_the_CNAME()
    {
        _domain.Zone.Cname.Remove("autoconfig.example.com");
        _domain.Zone.Cname["autodiscover.example.com"] = ["web.example.com"];

        var lines = (await _domain.CheckAsync()).Where(r => r.Check == "CNAME").ToList();

        lines.Should().OnlyContain(r => r.Status == DomainCheckStatus.Warn);
        lines[0].Publish.Should().Be("autoconfig.example.com. IN CNAME mail.example.com.");
        lines[1].Message.Should().Contain("CNAME web.example.com");
        lines[1].Publish.Should().Be("autodiscover.example.com. IN CNAME mail.example.com.");
    }

    [Fact]
    public async Task An_autoconfig_name_with_the_hosts_addresses_is_OK()
    {
        _domain.Zone.Cname.Remove("autoconfig.example.com");
        _domain.Zone.Addresses["autoconfig.example.com"] = [CorrectDomain.V4, CorrectDomain.V6];

        (await _domain.CheckAsync()).Where(r => r.Check == "CNAME").Should().OnlyContain(r => r.Status == DomainCheckStatus.Ok);
    }

    [Fact]
    public async Task No_configured_certificate_warns_self_signed()
    {
        _domain.Certificate = ServedCertificate.Generated;

        var line = await SingleAsync("TLS cert");

        line.Status.Should().Be(DomainCheckStatus.Warn);
        line.Message.Should().StartWith("self-signed");
    }

    [Fact]
    public async Task A_certificate_for_another_name_fails()
    {
        _domain.Certificate = CorrectDomain.IssueCertificate("www.example.com", _domain.Time.GetUtcNow().AddDays(-1), _domain.Time.GetUtcNow().AddDays(60));

        var lines = await CertificateLinesAsync();

        lines[0].Status.Should().Be(DomainCheckStatus.Fail);
        lines[0].Message.Should().Be("does not cover mail.example.com: it names only www.example.com; clients refuse the connection");
    }

    [Fact]
    public async Task A_configured_self_signed_certificate_warns()
    {
        _domain.Certificate = CorrectDomain.SelfSignedCertificate(CorrectDomain.Hostname, _domain.Time.GetUtcNow().AddDays(-1), _domain.Time.GetUtcNow().AddDays(60));

        var lines = await CertificateLinesAsync();

        lines.Select(l => l.Status).Should().Equal(DomainCheckStatus.Ok, DomainCheckStatus.Warn, DomainCheckStatus.Ok);
    }

    [Fact]
    public async Task A_certificate_expiring_within_14_days_warns_and_an_expired_one_fails()
    {
        var now = _domain.Time.GetUtcNow();
        _domain.Certificate = CorrectDomain.IssueCertificate(CorrectDomain.Hostname, now.AddDays(-80), now.AddDays(10));
        var soon = (await CertificateLinesAsync())[2];
        _domain.Certificate.Certificate!.Dispose();
        _domain.Certificate = CorrectDomain.IssueCertificate(CorrectDomain.Hostname, now.AddDays(-90), now.AddDays(-1));
        var expired = (await CertificateLinesAsync())[2];

        soon.Status.Should().Be(DomainCheckStatus.Warn);
        soon.Message.Should().StartWith("expires on 2026-12-16 (in 10 days)");
        expired.Status.Should().Be(DomainCheckStatus.Fail);
        expired.Message.Should().StartWith("expired on 2026-12-05");
    }

    [Fact]
    public async Task A_server_failure_is_could_not_check_not_FAIL()
    {
        _domain.Zone.Failing.Add(CorrectDomain.Domain);

        var results = await _domain.CheckAsync();

        var mx = results.Single(r => r.Check == "MX");
        mx.Status.Should().Be(DomainCheckStatus.Warn);
        mx.Message.Should().StartWith("could not check: the DNS lookup of example.com MX failed");
        results.Single(r => r.Check == "SPF").Message.Should().StartWith("could not check");
        results.Should().NotContain(r => r.Status == DomainCheckStatus.Fail);
    }

    [Fact]
    public async Task A_lookup_that_never_answers_times_out_as_could_not_check()
    {
        _domain.LookupTimeout = TimeSpan.FromMilliseconds(200);

        var results = await _domain.CheckAsync(new HangingResolver(_domain.Zone, "_dmarc.example.com"));

        var dmarc = results.Single(r => r.Check == "DMARC");
        dmarc.Status.Should().Be(DomainCheckStatus.Warn);
        dmarc.Message.Should().Be("could not check: the DNS lookup of _dmarc.example.com TXT failed (timeout or server failure); run the check again");
        results.Where(r => r.Check != "DMARC").Should().OnlyContain(r => r.Status == DomainCheckStatus.Ok);
    }

    private async Task<DomainCheckResult> SingleAsync(string check) => (await _domain.CheckAsync()).Single(r => r.Check == check);

    private async Task<List<DomainCheckResult>> CertificateLinesAsync() => [.. (await _domain.CheckAsync()).Where(r => r.Check == "TLS cert")];
}
