using MailHost.Protocols.MailAuthentication;

namespace MailHost.Protocols.Tests.MailAuthentication;

public class PublicSuffixListTests
{
    // A small list in the published format: comments, a wildcard with an exception, Unicode and private rules.
    private const string List = """
        // ===BEGIN ICANN DOMAINS===
        com
        uk
        co.uk
        jp
        *.kawasaki.jp
        !city.kawasaki.jp
        *.ck
        !www.ck
        公司.cn
        cn

        // ===BEGIN PRIVATE DOMAINS===
        blogspot.com  // trailing text is ignored
        """;

    private static readonly PublicSuffixList Suffixes = PublicSuffixList.Parse(List);

    [Theory]
    [InlineData("example.com", "example.com")]
    [InlineData("mail.example.com", "example.com")]
    [InlineData("a.b.example.co.uk", "example.co.uk")]
    [InlineData("co.uk", "co.uk")]
    [InlineData("com", "com")]
    // Wildcard: any label under kawasaki.jp is a public suffix...
    [InlineData("shop.foo.kawasaki.jp", "shop.foo.kawasaki.jp")]
    [InlineData("www.shop.foo.kawasaki.jp", "shop.foo.kawasaki.jp")]
    // ...except city.kawasaki.jp, whose own name is registrable.
    [InlineData("city.kawasaki.jp", "city.kawasaki.jp")]
    [InlineData("www.city.kawasaki.jp", "city.kawasaki.jp")]
    [InlineData("a.b.ck", "a.b.ck")]
    [InlineData("www.ck", "www.ck")]
    [InlineData("mail.www.ck", "www.ck")]
    [InlineData("blog.someone.blogspot.com", "someone.blogspot.com")]
    // Unicode rules compare in their A-label form.
    [InlineData("shop.example.xn--55qx5d.cn", "example.xn--55qx5d.cn")]
    // No rule matches: the default rule "*" makes the top-level label the suffix.
    [InlineData("mail.example.test", "example.test")]
    [InlineData("Mail.Example.COM.", "example.com")]
    public void Organizational_domains_follow_the_list(string domain, string organizational)
        => Suffixes.GetOrganizationalDomain(domain).Should().Be(organizational);

    [Fact]
    public void Rules_are_counted()
        => Suffixes.RuleCount.Should().Be(11);

    [Theory]
    [InlineData("mail.example.com", "example.com")]
    [InlineData("www.example.co.uk", "example.co.uk")]
    [InlineData("a.b.example.com.au", "example.com.au")]
    [InlineData("a.example.kawasaki.jp", "kawasaki.jp")]
    public void The_fallback_uses_two_labels_or_three_under_common_registries(string domain, string organizational)
        => PublicSuffixList.Fallback.GetOrganizationalDomain(domain).Should().Be(organizational);
}
