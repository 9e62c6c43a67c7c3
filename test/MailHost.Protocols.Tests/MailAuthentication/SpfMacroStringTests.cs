using System.Net;
using MailHost.Protocols.MailAuthentication;

namespace MailHost.Protocols.Tests.MailAuthentication;

public class SpfMacroStringTests
{
    // RFC 7208 §7.4: sender strong-bad@email.example.com, IPv4 client 192.0.2.3, IPv6 client 2001:db8::cb01,
    // validated name of the client mx.example.org.
    private static SpfMacroContext Context(string ip = "192.0.2.3") =>
        new("strong-bad@email.example.com", "strong-bad", "email.example.com", "email.example.com", IPAddress.Parse(ip), "mx.example.org")
        {
            ValidatedDomain = "mx.example.org",
            ReceivingHost = "mx.example.net",
            Timestamp = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000),
        };

    public static TheoryData<string, string> Rfc7208Section74 => new()
    {
        { "%{s}", "strong-bad@email.example.com" },
        { "%{o}", "email.example.com" },
        { "%{d}", "email.example.com" },
        { "%{d4}", "email.example.com" },
        { "%{d3}", "email.example.com" },
        { "%{d2}", "example.com" },
        { "%{d1}", "com" },
        { "%{dr}", "com.example.email" },
        { "%{d2r}", "example.email" },
        { "%{l}", "strong-bad" },
        { "%{l-}", "strong.bad" },
        { "%{lr}", "strong-bad" },
        { "%{lr-}", "bad.strong" },
        { "%{l1r-}", "strong" },
        { "%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com" },
        { "%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com" },
        { "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com" },
        { "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com" },
        { "%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net" },
    };

    [Theory]
    [MemberData(nameof(Rfc7208Section74))]
    public void The_RFC_7208_section_7_4_examples_expand_as_published(string macro, string expected)
    {
        SpfMacroString.TryParse(macro, explanation: false, out var parsed, out var error).Should().BeTrue(error);
        parsed!.Expand(Context()).Should().Be(expected);
    }

    [Fact]
    public void The_IPv6_example_of_section_7_4_expands_to_nibbles()
    {
        SpfMacroString.TryParse("%{ir}.%{v}._spf.%{d2}", false, out var parsed, out _).Should().BeTrue();
        parsed!.Expand(Context("2001:db8::cb01")).Should().Be("1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com");
    }

    public static TheoryData<string, string> OtherExpansions => new()
    {
        { "%%%_%-", "% %20" },
        { "%{p}", "mx.example.org" },
        { "%{h}", "mx.example.org" },
        { "%{i}", "192.0.2.3" },
        // §7.3: upper-case macros are URL-escaped (RFC 3986 unreserved characters stay).
        { "%{S}", "strong-bad%40email.example.com" },
        { "%{L}", "strong-bad" },
        // Several delimiters at once, and a count beyond the parts keeps everything.
        { "%{s-.}", "strong.bad@email.example.com" },
        { "%{l2r-}", "bad.strong" },
        { "%{d99}", "email.example.com" },
        { "%{D2R}", "example.email" },
        { "literal.example.com", "literal.example.com" },
    };

    [Theory]
    [MemberData(nameof(OtherExpansions))]
    public void Escapes_transformers_and_url_escaping(string macro, string expected)
    {
        SpfMacroString.TryParse(macro, explanation: false, out var parsed, out var error).Should().BeTrue(error);
        parsed!.Expand(Context()).Should().Be(expected);
    }

    [Fact]
    public void Explanation_letters_are_allowed_only_in_explanations()
    {
        SpfMacroString.TryParse("%{c} %{r} %{t}", explanation: false, out _, out _).Should().BeFalse("a space is not a macro-literal");
        SpfMacroString.TryParse("%{c}.%{r}.%{t}", explanation: false, out _, out var error).Should().BeFalse();
        error.Should().Contain("not allowed");
        SpfMacroString.TryParse("%{c}.%{r}.%{t}", explanation: true, out var parsed, out _).Should().BeTrue();
        parsed!.Expand(Context()).Should().Be("192.0.2.3.mx.example.net.1700000000");
    }

    [Theory]
    [InlineData("%", "lone")]
    [InlineData("%x", "followed by")]
    [InlineData("%{d", "unclosed")]
    [InlineData("%{}", "empty macro")]
    [InlineData("%{q}", "not allowed")]
    [InlineData("%{d0}", "nonzero")]
    [InlineData("%{d2x}", "delimiter")]
    [InlineData("a b", "macro-literal")]
    [InlineData("", "empty")]
    public void Syntax_errors_are_refused_with_a_reason(string macro, string reason)
    {
        SpfMacroString.TryParse(macro, explanation: false, out var parsed, out var error).Should().BeFalse();
        parsed.Should().BeNull();
        error.Should().Contain(reason);
    }

    [Theory]
    [InlineData("example.com", true)]
    [InlineData("example.com.", true)]
    [InlineData("_spf.%{d}", true)]
    [InlineData("%{d}.example-1.com", true)]
    [InlineData("foo.%-", true)]
    [InlineData("%{ir}.example.123-4", true)]
    [InlineData("example", false)]
    [InlineData("1.2.3.4", false)]
    [InlineData("example.-com", false)]
    [InlineData("example.com-", false)]
    [InlineData("example.c_m", false)]
    public void A_domain_spec_ends_with_a_top_label_or_a_macro(string spec, bool valid)
        => SpfMacroString.TryParseDomainSpec(spec, out _, out _).Should().Be(valid);

    [Fact]
    public void Uses_reports_the_letters_present()
    {
        SpfMacroString.TryParse("%{p}.%{d}.x.com", false, out var parsed, out _).Should().BeTrue();
        parsed!.Uses('p').Should().BeTrue();
        parsed.Uses('i').Should().BeFalse();
    }
}
