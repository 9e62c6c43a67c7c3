using System.Text;
using MailHost.MailAuthentication;
using MailHost.Protocols.MailAuthentication;
using MimeKit.Cryptography;

namespace MailHost.Tests.MailAuthentication;

public class DmarcEvaluationTests
{
    private readonly MailAuthenticatorFixture _fixture = new();

    private static byte[] Message(string from = "alice@example.org", string? dkimDomain = null, string selector = "rsa")
    {
        var message = DkimTestKeys.Message(from);
        if (dkimDomain is not null)
        {
            DkimTestKeys.Sign(message, DkimTestKeys.RsaKey.Private, dkimDomain, selector);
        }

        return DkimTestKeys.Bytes(message);
    }

    private Task<MailAuthenticationResult> RunAsync(byte[] message, string mailFrom = "sender@example.org", string ip = "192.0.2.1")
        => _fixture.AuthenticateAsync(message, MailAuthenticatorFixture.Request(mailFrom, ip));

    [Fact]
    public async Task An_aligned_SPF_pass_alone_passes()
    {
        _fixture.Zone.Txt["_dmarc.example.org"] = ["v=DMARC1; p=reject"];
        var result = await RunAsync(Message());
        result.Spf.Result.Should().Be(SpfResult.Pass);
        result.Dkim.Should().BeEmpty();
        result.Dmarc.Should().BeEquivalentTo(new { Result = DmarcResult.Pass, FromDomain = "example.org", RequestedPolicy = DmarcPolicy.Reject, AppliedPolicy = DmarcPolicy.None, RecordDomain = "example.org" });
    }

    [Fact]
    public async Task An_aligned_DKIM_pass_alone_passes()
    {
        _fixture.Zone.Txt["_dmarc.example.org"] = ["v=DMARC1; p=reject"];
        var result = await RunAsync(Message(dkimDomain: "example.org"), ip: "198.51.100.7");
        result.Spf.Result.Should().Be(SpfResult.Fail);
        result.Dmarc.Result.Should().Be(DmarcResult.Pass);
        result.Dmarc.Reason.Should().Contain("DKIM");
    }

    [Fact]
    public async Task Passes_for_other_domains_do_not_count()
    {
        _fixture.Zone.Txt["_dmarc.example.org"] = ["v=DMARC1; p=quarantine"];
        var result = await RunAsync(Message(dkimDomain: "other.example"), mailFrom: "bounce@other.example");
        result.Spf.Result.Should().Be(SpfResult.Pass);
        result.Dkim.Single().Result.Should().Be(DkimResult.Pass);
        result.Dmarc.Should().BeEquivalentTo(new { Result = DmarcResult.Fail, RequestedPolicy = DmarcPolicy.Quarantine, AppliedPolicy = DmarcPolicy.Quarantine });
    }

    [Fact]
    public async Task Relaxed_alignment_accepts_subdomains_and_strict_does_not()
    {
        _fixture.Zone.Txt["_dmarc.example.org"] = ["v=DMARC1; p=reject"];
        (await RunAsync(Message(), mailFrom: "b@bounces.example.org")).Dmarc.Result.Should().Be(DmarcResult.Pass);
        (await RunAsync(Message(dkimDomain: "mail.example.org"), ip: "198.51.100.7")).Dmarc.Result.Should().Be(DmarcResult.Pass);

        _fixture.Zone.Txt["_dmarc.example.org"] = ["v=DMARC1; p=reject; aspf=s; adkim=s"];
        (await RunAsync(Message(), mailFrom: "b@bounces.example.org")).Dmarc.Result.Should().Be(DmarcResult.Fail);
        (await RunAsync(Message(dkimDomain: "mail.example.org"), ip: "198.51.100.7")).Dmarc.Result.Should().Be(DmarcResult.Fail);
        (await RunAsync(Message(dkimDomain: "example.org"), ip: "198.51.100.7")).Dmarc.Result.Should().Be(DmarcResult.Pass);
    }

    [Fact]
    public async Task A_subdomain_uses_the_organizational_record_and_its_sp()
    {
        _fixture.Zone.Txt["_dmarc.example.org"] = ["v=DMARC1; p=none; sp=reject"];
        var result = await RunAsync(Message(from: "alice@news.example.org"), ip: "198.51.100.7");
        result.Dmarc.Should().BeEquivalentTo(new { Result = DmarcResult.Fail, FromDomain = "news.example.org", RecordDomain = "example.org", RequestedPolicy = DmarcPolicy.Reject });
        _fixture.Zone.Asked.Should().ContainInOrder("_dmarc.news.example.org", "_dmarc.example.org");

        // The From domain's own record wins, and there p (not sp) applies.
        _fixture.Zone.Txt["_dmarc.news.example.org"] = ["v=DMARC1; p=quarantine; sp=reject"];
        (await RunAsync(Message(from: "alice@news.example.org"), ip: "198.51.100.7")).Dmarc.RequestedPolicy.Should().Be(DmarcPolicy.Quarantine);
    }

    [Fact]
    public async Task The_organizational_domain_comes_from_the_public_suffix_list()
    {
        _fixture.Suffixes = PublicSuffixList.Parse("uk\nco.uk\n*.sch.uk\n");
        _fixture.Zone.Txt["_dmarc.example.co.uk"] = ["v=DMARC1; p=reject"];
        _fixture.Zone.Txt["example.co.uk"] = ["v=spf1 ip4:192.0.2.1 -all"];
        var result = await RunAsync(Message(from: "a@mail.example.co.uk"), mailFrom: "b@example.co.uk");
        result.Dmarc.Should().BeEquivalentTo(new { Result = DmarcResult.Pass, RecordDomain = "example.co.uk" });

        // Under a wildcard rule the registrable domain has three labels below sch.uk.
        _fixture.Zone.Txt["_dmarc.school.area.sch.uk"] = ["v=DMARC1; p=quarantine"];
        var school = await RunAsync(Message(from: "a@www.school.area.sch.uk"), mailFrom: "b@area.sch.uk");
        school.Dmarc.Should().BeEquivalentTo(new { Result = DmarcResult.Fail, RecordDomain = "school.area.sch.uk" });
        _fixture.Zone.Asked.Should().NotContain("_dmarc.area.sch.uk");
    }

    [Fact]
    public async Task Without_a_record_the_result_is_none()
    {
        var result = await RunAsync(Message(), ip: "198.51.100.7");
        result.Dmarc.Should().BeEquivalentTo(new { Result = DmarcResult.None, FromDomain = "example.org", RequestedPolicy = (DmarcPolicy?)null });
    }

    [Fact]
    public async Task Several_records_mean_no_DMARC_and_an_unusable_one_a_permerror()
    {
        _fixture.Zone.Txt["_dmarc.example.org"] = ["v=DMARC1; p=reject", "v=DMARC1; p=none"];
        (await RunAsync(Message())).Dmarc.Result.Should().Be(DmarcResult.None);
        _fixture.Zone.Txt["_dmarc.example.org"] = ["v=DMARC1; p=sometimes"];
        (await RunAsync(Message())).Dmarc.Result.Should().Be(DmarcResult.PermError);
        _fixture.Zone.Txt["_dmarc.example.org"] = ["some other text", "v=DMARC1; p=reject"];
        (await RunAsync(Message(), ip: "198.51.100.7")).Dmarc.Result.Should().Be(DmarcResult.Fail);
    }

    [Fact]
    public async Task DNS_failures_are_temperror()
    {
        _fixture.Zone.Failing.Add("_dmarc.example.org");
        (await RunAsync(Message())).Dmarc.Result.Should().Be(DmarcResult.TempError);

        // An aligned SPF temperror could still pass: not a failure.
        _fixture.Zone.Failing.Clear();
        _fixture.Zone.Txt["_dmarc.example.org"] = ["v=DMARC1; p=reject"];
        _fixture.Zone.Failing.Add("example.org");
        var result = await RunAsync(Message());
        result.Spf.Result.Should().Be(SpfResult.TempError);
        result.Dmarc.Result.Should().Be(DmarcResult.TempError);
    }

    [Theory]
    [InlineData("To: bob@example.net\r\n", "no From field")]
    [InlineData("From: a@example.org\r\nFrom: b@example.org\r\n", "several From fields")]
    [InlineData("From: a@example.org, b@other.example\r\n", "several domains")]
    [InlineData("From: undisclosed-recipients:;\r\n", "no address")]
    public async Task Without_exactly_one_author_domain_the_result_is_permerror(string header, string reason)
    {
        _fixture.Zone.Txt["_dmarc.example.org"] = ["v=DMARC1; p=reject"];
        var result = await RunAsync(Encoding.ASCII.GetBytes(header + "Subject: x\r\n\r\nbody\r\n"));
        result.Dmarc.Result.Should().Be(DmarcResult.PermError);
        result.Dmarc.Reason.Should().Contain(reason);
    }

    [Fact]
    public async Task Several_From_addresses_of_one_domain_are_one_author_domain()
    {
        _fixture.Zone.Txt["_dmarc.example.org"] = ["v=DMARC1; p=reject"];
        (await RunAsync(Encoding.ASCII.GetBytes("From: a@example.org, B <b@Example.ORG>\r\n\r\nbody\r\n"))).Dmarc.Result.Should().Be(DmarcResult.Pass);
    }

    [Fact]
    public async Task A_testing_DKIM_key_does_not_make_DMARC_pass()
    {
        _fixture.Zone.Txt["_dmarc.example.org"] = ["v=DMARC1; p=reject"];
        _fixture.Zone.Txt["rsa._domainkey.example.org"] = [DkimTestKeys.RsaRecord(DkimTestKeys.RsaKey, "t=y; ")];
        (await RunAsync(Message(dkimDomain: "example.org"), ip: "198.51.100.7")).Dmarc.Result.Should().Be(DmarcResult.Fail);
    }

    [Theory]
    [InlineData("p=reject", 99, true, nameof(MailAuthenticationDisposition.Reject))]
    [InlineData("p=quarantine", 99, true, nameof(MailAuthenticationDisposition.Quarantine))]
    [InlineData("p=none", 99, true, nameof(MailAuthenticationDisposition.Accept))]
    [InlineData("p=reject", 99, false, nameof(MailAuthenticationDisposition.Accept))]
    // pct: a message outside the sample gets the next lower policy (RFC 7489 §6.6.4).
    [InlineData("p=reject; pct=50", 49, true, nameof(MailAuthenticationDisposition.Reject))]
    [InlineData("p=reject; pct=50", 50, true, nameof(MailAuthenticationDisposition.Quarantine))]
    [InlineData("p=quarantine; pct=0", 0, true, nameof(MailAuthenticationDisposition.Accept))]
    public async Task Enforcement_applies_the_policy_with_pct(string policy, int roll, bool enforce, string expected)
    {
        _fixture.Zone.Txt["_dmarc.example.org"] = ["v=DMARC1; " + policy];
        _fixture.Options.DmarcEnforcement = enforce;
        _fixture.PercentRoll = roll;
        var result = await RunAsync(Message(), ip: "198.51.100.7");
        result.Dmarc.Result.Should().Be(DmarcResult.Fail);
        result.Disposition.Should().Be(Enum.Parse<MailAuthenticationDisposition>(expected));
    }

    [Fact]
    public async Task A_temperror_is_deferred_only_when_configured()
    {
        _fixture.Zone.Failing.Add("_dmarc.example.org");
        _fixture.Options.DmarcEnforcement = true;
        (await RunAsync(Message())).Disposition.Should().Be(MailAuthenticationDisposition.Accept);
        _fixture.Options.DeferOnTemporaryError = true;
        (await RunAsync(Message())).Disposition.Should().Be(MailAuthenticationDisposition.Defer);
    }

    [Fact]
    public async Task Ed25519_DKIM_alignment_works_like_RSA()
    {
        _fixture.Zone.Txt["_dmarc.example.org"] = ["v=DMARC1; p=reject; adkim=s"];
        var message = DkimTestKeys.Message();
        DkimTestKeys.Sign(message, DkimTestKeys.Ed25519Key.Private, "example.org", "ed", DkimSignatureAlgorithm.Ed25519Sha256);
        (await RunAsync(DkimTestKeys.Bytes(message), ip: "198.51.100.7")).Dmarc.Result.Should().Be(DmarcResult.Pass);
    }
}
