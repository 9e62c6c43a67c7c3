using MailHost.Protocols.MailAuthentication;

namespace MailHost.Protocols.Tests.MailAuthentication;

public class MailDomainNameTests
{
    [Theory]
    [InlineData("Example.COM", "example.com")]
    [InlineData("example.com.", "example.com")]
    [InlineData("_spf.example.com", "_spf.example.com")]
    [InlineData("b\u00fccher.example", "xn--bcher-kva.example")]
    [InlineData("example", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    [InlineData("a..example.com", null)]
    [InlineData(".example.com", null)]
    [InlineData("192.0.2.1", null)]
    [InlineData("[192.0.2.1]", null)]
    [InlineData("exa mple.com", null)]
    [InlineData("exa\r\nmple.com", null)]
    public void Normalize_gives_lower_case_A_labels_or_null(string? input, string? expected)
        => MailDomainName.Normalize(input).Should().Be(expected);

    [Fact]
    public void Labels_and_names_have_RFC_1035_limits()
    {
        MailDomainName.Normalize(new string('a', 63) + ".com").Should().NotBeNull();
        MailDomainName.Normalize(new string('a', 64) + ".com").Should().BeNull();
        var long253 = string.Join('.', Enumerable.Repeat(new string('a', 62), 4)) + ".ab";
        long253.Length.Should().Be(254);
        MailDomainName.Normalize(long253).Should().BeNull();
        MailDomainName.Normalize(long253[1..]).Should().NotBeNull();
    }

    [Fact]
    public void Truncation_drops_labels_from_the_left()
    {
        var name = string.Join('.', Enumerable.Repeat("abcdefghij", 30)) + ".com";
        var truncated = MailDomainName.TruncateLeft(name);
        truncated.Length.Should().BeLessThanOrEqualTo(253);
        name.Should().EndWith(truncated);
        truncated.Should().StartWith("abcdefghij.");
    }

    [Theory]
    [InlineData("mail.example.com", "example.com", true)]
    [InlineData("example.com", "example.com", true)]
    [InlineData("badexample.com", "example.com", false)]
    [InlineData("example.com", "mail.example.com", false)]
    public void Subdomains(string name, string parent, bool expected)
        => MailDomainName.IsSameOrSubdomain(name, parent).Should().Be(expected);
}
