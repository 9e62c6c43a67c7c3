using System.Text;
using MailHost.Protocols.MailAuthentication;
using MailHost.Tests.Storage;
using MimeKit.Cryptography;

namespace MailHost.Tests.MailAuthentication;

public class DkimVerificationTests
{
    private readonly MailAuthenticatorFixture _fixture = new();

    private static byte[] Signed(string selector = "rsa", string domain = "example.org", DkimSignatureAlgorithm algorithm = DkimSignatureAlgorithm.RsaSha256, string? identity = null)
    {
        var message = DkimTestKeys.Message();
        var key = algorithm == DkimSignatureAlgorithm.Ed25519Sha256 ? DkimTestKeys.Ed25519Key.Private : DkimTestKeys.RsaKey.Private;
        DkimTestKeys.Sign(message, key, domain, selector, algorithm, identity);
        return DkimTestKeys.Bytes(message);
    }

    [Fact]
    public async Task An_RSA_signature_made_with_MimeKit_verifies()
    {
        var result = await _fixture.AuthenticateAsync(Signed());
        result.Dkim.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Result = DkimResult.Pass, Domain = "example.org", Selector = "rsa", Algorithm = "rsa-sha256" });
        _fixture.Zone.Asked.Should().Contain("rsa._domainkey.example.org");
    }

    [Fact]
    public async Task An_Ed25519_signature_verifies_RFC_8463()
    {
        var result = await _fixture.AuthenticateAsync(Signed("ed", algorithm: DkimSignatureAlgorithm.Ed25519Sha256));
        result.Dkim.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Result = DkimResult.Pass, Selector = "ed", Algorithm = "ed25519-sha256" });
    }

    [Fact]
    public async Task Two_signatures_are_both_verified_top_most_first()
    {
        var message = DkimTestKeys.Message();
        DkimTestKeys.Sign(message, DkimTestKeys.RsaKey.Private, "example.org", "rsa");
        DkimTestKeys.Sign(message, DkimTestKeys.Ed25519Key.Private, "example.org", "ed", DkimSignatureAlgorithm.Ed25519Sha256);
        var result = await _fixture.AuthenticateAsync(DkimTestKeys.Bytes(message));
        result.Dkim.Select(d => (d.Result, d.Selector)).Should().Equal((DkimResult.Pass, "ed"), (DkimResult.Pass, "rsa"));
    }

    [Fact]
    public async Task A_tampered_body_or_header_fails()
    {
        var signed = Encoding.ASCII.GetString(Signed());
        var body = await _fixture.AuthenticateAsync(Encoding.ASCII.GetBytes(signed.Replace("Hello, world.", "Hello, World.", StringComparison.Ordinal)));
        body.Dkim.Should().ContainSingle().Which.Result.Should().Be(DkimResult.Fail);

        var header = await _fixture.AuthenticateAsync(Encoding.ASCII.GetBytes(signed.Replace("Subject: DKIM test", "Subject: DKIM Test", StringComparison.Ordinal)));
        header.Dkim.Should().ContainSingle().Which.Result.Should().Be(DkimResult.Fail);
    }

    [Fact]
    public async Task A_missing_key_is_a_permerror_and_a_DNS_failure_a_temperror()
    {
        (await _fixture.AuthenticateAsync(Signed("nokey"))).Dkim.Single().Should().BeEquivalentTo(new { Result = DkimResult.PermError, Selector = "nokey" });

        _fixture.Zone.Failing.Add("rsa._domainkey.example.org");
        (await _fixture.AuthenticateAsync(Signed())).Dkim.Single().Result.Should().Be(DkimResult.TempError);
    }

    [Theory]
    [InlineData("v=DKIM1; k=rsa; p=", "revoked")]
    [InlineData("v=DKIM1; k=rsa; p=not*base64", "malformed")]
    [InlineData("v=DKIM1; k=rsa; p=AQIDBA==", "not an RSA public key")]
    [InlineData("v=DKIM1; k=dsa; p=AQIDBA==", "unknown key type")]
    [InlineData("v=DKIM1; k=ed25519; p=AQIDBA==", "32 octets")]
    public async Task Revoked_malformed_and_unusable_keys_are_permerrors(string record, string reason)
    {
        _fixture.Zone.Txt["rsa._domainkey.example.org"] = [record];
        var verdict = (await _fixture.AuthenticateAsync(Signed())).Dkim.Single();
        verdict.Result.Should().Be(DkimResult.PermError);
        verdict.Reason.Should().Contain(reason);
    }

    [Fact]
    public async Task Key_tags_restrict_use_RFC_6376_section_3_6_1()
    {
        _fixture.Zone.Txt["rsa._domainkey.example.org"] = [DkimTestKeys.RsaRecord(DkimTestKeys.RsaKey, "h=sha1; ")];
        (await _fixture.AuthenticateAsync(Signed())).Dkim.Single().Reason.Should().Contain("does not allow sha256");

        _fixture.Zone.Txt["rsa._domainkey.example.org"] = [DkimTestKeys.RsaRecord(DkimTestKeys.RsaKey, "s=other; ")];
        (await _fixture.AuthenticateAsync(Signed())).Dkim.Single().Result.Should().Be(DkimResult.PermError);

        // t=s: i= must be in d= exactly, not in a subdomain of it.
        _fixture.Zone.Txt["rsa._domainkey.example.org"] = [DkimTestKeys.RsaRecord(DkimTestKeys.RsaKey, "t=s; ")];
        (await _fixture.AuthenticateAsync(Signed(identity: "@mail.example.org"))).Dkim.Single().Reason.Should().Contain("t=s");
        (await _fixture.AuthenticateAsync(Signed(identity: "@example.org"))).Dkim.Single().Result.Should().Be(DkimResult.Pass);

        // An Ed25519 key cannot verify an RSA signature.
        _fixture.Zone.Txt["rsa._domainkey.example.org"] = [DkimTestKeys.Ed25519Record()];
        (await _fixture.AuthenticateAsync(Signed())).Dkim.Single().Reason.Should().Contain("k=ed25519");
    }

    [Fact]
    public async Task An_RSA_key_with_a_huge_public_exponent_is_refused_before_any_hashing()
    {
        var huge = new Org.BouncyCastle.Crypto.Parameters.RsaKeyParameters(
            false,
            ((Org.BouncyCastle.Crypto.Parameters.RsaKeyParameters)DkimTestKeys.RsaKey.Public).Modulus,
            Org.BouncyCastle.Math.BigInteger.One.ShiftLeft(1000).Add(Org.BouncyCastle.Math.BigInteger.One));
        var spki = Org.BouncyCastle.X509.SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(huge).GetDerEncoded();
        _fixture.Zone.Txt["rsa._domainkey.example.org"] = ["v=DKIM1; p=" + Convert.ToBase64String(spki)];
        var verdict = (await _fixture.AuthenticateAsync(Signed())).Dkim.Single();
        verdict.Result.Should().Be(DkimResult.Policy);
        verdict.Reason.Should().Contain("too large");
    }

    [Fact]
    public async Task A_testing_key_still_verifies_but_is_marked()
    {
        _fixture.Zone.Txt["rsa._domainkey.example.org"] = [DkimTestKeys.RsaRecord(DkimTestKeys.RsaKey, "t=y; ")];
        var verdict = (await _fixture.AuthenticateAsync(Signed())).Dkim.Single();
        verdict.Result.Should().Be(DkimResult.Pass);
        verdict.IsTesting.Should().BeTrue();
    }

    [Fact]
    public async Task Short_RSA_keys_and_rsa_sha1_are_policy_RFC_8301()
    {
        _fixture.Zone.Txt["short._domainkey.example.org"] = [DkimTestKeys.RsaRecord(DkimTestKeys.ShortRsaKey)];
        var message = DkimTestKeys.Message();
        DkimTestKeys.Sign(message, DkimTestKeys.ShortRsaKey.Private, "example.org", "short");
        (await _fixture.AuthenticateAsync(DkimTestKeys.Bytes(message))).Dkim.Single().Should().BeEquivalentTo(new { Result = DkimResult.Policy });

        var sha1 = DkimTestKeys.Message();
        DkimTestKeys.Sign(sha1, DkimTestKeys.RsaKey.Private, "example.org", "rsa", DkimSignatureAlgorithm.RsaSha1);
        (await _fixture.AuthenticateAsync(DkimTestKeys.Bytes(sha1))).Dkim.Single().Should().BeEquivalentTo(new { Result = DkimResult.Policy, Algorithm = "rsa-sha1" });
    }

    private static byte[] HandMade(string tags)
        => Encoding.ASCII.GetBytes("DKIM-Signature: " + tags + "\r\nFrom: alice@example.org\r\nSubject: s\r\n\r\nbody\r\n");

    [Theory]
    [InlineData("v=1; a=rsa-sha256; d=example.org; s=rsa; h=subject; bh=AAAA; b=AAAA", DkimResult.PermError, "From field is not signed")]
    [InlineData("v=1; a=rsa-sha256; d=example.org; s=rsa; h=from; i=@other.example; bh=AAAA; b=AAAA", DkimResult.PermError, "i= is not within d=")]
    [InlineData("v=1; a=rsa-sha256; d=example.org; s=rsa; h=from; x=1000; t=500; bh=AAAA; b=AAAA", DkimResult.Fail, "expired")]
    [InlineData("v=1; a=rsa-sha256; d=example.org; s=rsa; h=from; x=1000; t=2000; bh=AAAA; b=AAAA", DkimResult.Neutral, "x= is not after t=")]
    [InlineData("v=1; a=rsa-sha512; d=example.org; s=rsa; h=from; bh=AAAA; b=AAAA", DkimResult.PermError, "unsupported algorithm")]
    [InlineData("v=1; a=rsa-sha256; d=example.org; s=rsa; h=from; q=http/well-known; bh=AAAA; b=AAAA", DkimResult.PermError, "query method")]
    [InlineData("v=1; a=rsa-sha256; d=example.org; h=from; bh=AAAA; b=AAAA", DkimResult.Neutral, "'s='")]
    [InlineData("v=1; v=1; a=rsa-sha256", DkimResult.Neutral, "duplicate")]
    public async Task Signature_problems_are_reported_as_RFC_8601_results(string tags, DkimResult expected, string reason)
    {
        var verdict = (await _fixture.AuthenticateAsync(HandMade(tags))).Dkim.Single();
        verdict.Result.Should().Be(expected);
        verdict.Reason.Should().Contain(reason);
    }

    [Fact]
    public async Task A_message_over_the_size_limit_is_not_hashed()
    {
        _fixture.Options.MaxVerifiedMessageSize = 100;
        var verdict = (await _fixture.AuthenticateAsync(Signed())).Dkim.Single();
        verdict.Result.Should().Be(DkimResult.Policy);
        verdict.Reason.Should().Contain("larger than 100 octets");
        _fixture.Zone.Asked.Should().NotContain("rsa._domainkey.example.org");
    }

    [Fact]
    public async Task Only_the_configured_number_of_signatures_is_verified_and_a_key_is_fetched_once()
    {
        var message = DkimTestKeys.Message();
        for (var i = 0; i < 3; i++)
        {
            DkimTestKeys.Sign(message, DkimTestKeys.RsaKey.Private, "example.org", "rsa");
        }

        _fixture.Options.MaxDkimSignatures = 2;
        (await _fixture.AuthenticateAsync(DkimTestKeys.Bytes(message))).Dkim.Should().HaveCount(2).And.OnlyContain(d => d.Result == DkimResult.Pass);
        _fixture.Zone.Asked.Count(n => n == "rsa._domainkey.example.org").Should().Be(1, "the key is remembered within the message");
    }

    [Fact]
    public async Task The_verification_clock_is_the_time_provider()
    {
        var message = DkimTestKeys.Message();
        DkimTestKeys.Sign(message, DkimTestKeys.RsaKey.Private, "example.org", "rsa");
        var text = Encoding.ASCII.GetString(DkimTestKeys.Bytes(message));
        text.Should().StartWith("DKIM-Signature:");
        _fixture.Time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(3000));
        var expiring = HandMade("v=1; a=rsa-sha256; d=example.org; s=rsa; h=from; x=2999; bh=AAAA; b=AAAA");
        (await _fixture.AuthenticateAsync(expiring)).Dkim.Single().Result.Should().Be(DkimResult.Fail);
        var valid = HandMade("v=1; a=rsa-sha256; d=example.org; s=rsa; h=from; x=3001; bh=AAAA; b=AAAA");
        (await _fixture.AuthenticateAsync(valid)).Dkim.Single().Result.Should().Be(DkimResult.Fail, "not expired, but the made-up signature does not verify");
        (await _fixture.AuthenticateAsync(valid)).Dkim.Single().Reason.Should().NotContain("expired");
    }
}
