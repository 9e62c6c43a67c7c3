using MailHost.Protocols.MailAuthentication;

namespace MailHost.Protocols.Tests.MailAuthentication;

public class DkimSignatureHeaderTests
{
    private const string Valid = "v=1; a=rsa-sha256; c=relaxed/simple; d=Example.COM; s=Sel2026;\r\n\th=From:To : Subject; i=joe@mail.example.com; t=1700000000; x=1800000000; l=100; q=dns/txt;\r\n\tbh=MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI=; b=dGVzdGRh\r\n\t dGE=";

    [Fact]
    public void A_complete_signature_parses()
    {
        DkimSignatureHeader.TryParse(Valid, out var signature, out var error).Should().BeTrue(error);
        signature!.Should().BeEquivalentTo(new
        {
            Algorithm = "rsa-sha256",
            Domain = "example.com",
            Selector = "sel2026",
            SignedHeaders = new[] { "from", "to", "subject" },
            Identity = "joe@mail.example.com",
            IdentityDomain = "mail.example.com",
            Timestamp = 1700000000L,
            Expiration = 1800000000L,
            BodyLength = 100L,
            KeyType = "rsa",
            HashAlgorithm = "sha256",
        });
    }

    [Theory]
    [InlineData("v", "'v='")]
    [InlineData("a", "'a='")]
    [InlineData("b", "'b='")]
    [InlineData("bh", "'bh='")]
    [InlineData("d", "'d='")]
    [InlineData("h", "'h='")]
    [InlineData("s", "'s='")]
    public void Each_required_tag_is_required(string tag, string reason)
    {
        var without = string.Join(';', Valid.Split(';').Where(t => t.Split('=')[0].Trim() != tag));
        DkimSignatureHeader.TryParse(without, out _, out var error).Should().BeFalse();
        error.Should().Contain(reason);
    }

    [Theory]
    [InlineData("v=2", "version")]
    [InlineData("a=rsa", "algorithm")]
    [InlineData("d=localhost", "domain")]
    [InlineData("s=bad selector", "selector")]
    [InlineData("h=From::To", "h=")]
    [InlineData("i=nobody", "identity")]
    [InlineData("t=12x", "t=")]
    [InlineData("l=-1", "l=")]
    [InlineData("c=fancy", "canonicalization")]
    [InlineData("bh=!!!", "base64")]
    public void Malformed_values_are_syntax_errors(string replacement, string reason)
    {
        var name = replacement.Split('=')[0];
        var text = string.Join(';', Valid.Split(';').Select(t => t.Split('=')[0].Trim() == name ? " " + replacement : t));
        DkimSignatureHeader.TryParse(text, out _, out var error).Should().BeFalse();
        error.Should().Contain(reason);
    }
}
