using MailHost.Protocols.MailAuthentication;

namespace MailHost.Protocols.Tests.MailAuthentication;

public class DkimKeyRecordTests
{
    [Fact]
    public void Defaults_are_rsa_for_every_service_and_hash()
    {
        DkimKeyRecord.TryParse("p=AQID", out var record, out var error).Should().BeTrue(error);
        record!.KeyType.Should().Be("rsa");
        record.PublicKey.ToArray().Should().Equal(1, 2, 3);
        record.AllowsEmail.Should().BeTrue();
        record.AcceptsHash("sha256").Should().BeTrue();
        record.IsRevoked.Should().BeFalse();
        record.IsStrict.Should().BeFalse();
    }

    [Fact]
    public void Tags_of_RFC_6376_section_3_6_1_and_RFC_8463()
    {
        DkimKeyRecord.TryParse("v=DKIM1; k=ed25519; h=sha256; s=email:other; t=y:s; n=notes; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", out var record, out var error).Should().BeTrue(error);
        record!.Should().BeEquivalentTo(new { KeyType = "ed25519", IsTesting = true, IsStrict = true, AllowsEmail = true });
        record.PublicKey.Length.Should().Be(32);
        record.AcceptsHash("sha1").Should().BeFalse();
    }

    [Fact]
    public void An_empty_p_is_a_revoked_key()
    {
        DkimKeyRecord.TryParse("v=DKIM1; p=", out var record, out _).Should().BeTrue();
        record!.IsRevoked.Should().BeTrue();
    }

    [Fact]
    public void A_key_for_another_service_does_not_allow_email()
    {
        DkimKeyRecord.TryParse("s=other; p=AQID", out var record, out _).Should().BeTrue();
        record!.AllowsEmail.Should().BeFalse();
    }

    [Theory]
    [InlineData("k=rsa", "'p='")]
    [InlineData("k=rsa; v=DKIM1; p=AQID", "first")]
    [InlineData("v=DKIM2; p=AQID", "DKIM1")]
    [InlineData("p=not*base64", "base64")]
    public void Invalid_records(string txt, string reason)
    {
        DkimKeyRecord.TryParse(txt, out _, out var error).Should().BeFalse();
        error.Should().Contain(reason);
    }
}
