using System.Net;
using MailHost.Protocols.MailAuthentication;

namespace MailHost.Protocols.Tests.MailAuthentication;

public class SpfRecordTests
{
    [Theory]
    [InlineData("v=spf1", true)]
    [InlineData("v=spf1 -all", true)]
    [InlineData("V=SPF1 -all", true)]
    [InlineData("v=spf10 -all", false)]
    [InlineData("v=spf1-all", false)]
    [InlineData(" v=spf1 -all", false)]
    [InlineData("spf2.0/pra -all", false)]
    [InlineData("google-site-verification=x", false)]
    public void Record_selection_needs_exactly_v_spf1_then_a_space_or_the_end(string txt, bool selected)
        => SpfRecord.IsSpfRecord(txt).Should().Be(selected);

    // RFC 7208 Appendix A.1 records, and the other appendix examples.
    [Theory]
    [InlineData("v=spf1 +all", 1)]
    [InlineData("v=spf1 a -all", 2)]
    [InlineData("v=spf1 a:example.org -all", 2)]
    [InlineData("v=spf1 mx -all", 2)]
    [InlineData("v=spf1 mx:example.org -all", 2)]
    [InlineData("v=spf1 mx mx:example.org -all", 3)]
    [InlineData("v=spf1 mx/30 mx:example.org/30 -all", 3)]
    [InlineData("v=spf1 ptr -all", 2)]
    [InlineData("v=spf1 ip4:192.0.2.128/28 -all", 2)]
    [InlineData("v=spf1 include:example.com include:example.net -all", 3)]
    [InlineData("v=spf1 redirect=example.org", 0)]
    [InlineData("v=spf1 mx -all exp=explain._spf.%{d}", 2)]
    [InlineData("v=spf1 -include:ip4._spf.%{d} -include:ptr._spf.%{d} +all", 3)]
    [InlineData("v=spf1 exists:%{ir}.%{l1r+}.%{d}", 1)]
    [InlineData("v=spf1 ip6:2001:db8::/32 ip6:::1 ~all", 3)]
    [InlineData("v=spf1 a//64 a/24//64 a:x.example.com/24 ?all", 4)]
    [InlineData("v=spf1  mx   -all  ", 2)]
    [InlineData("v=spf1 unknown-mod=%{d}.x -all", 1)]
    [InlineData("v=spf1 foo=", 0)]
    public void Valid_records_parse(string txt, int mechanisms)
    {
        SpfRecord.TryParse(txt, out var record, out var error).Should().BeTrue(error);
        record!.Mechanisms.Should().HaveCount(mechanisms);
    }

    [Fact]
    public void Parsed_fields_carry_qualifiers_targets_and_cidr_lengths()
    {
        SpfRecord.TryParse("v=spf1 ~mx:example.org/30//64 -ip4:192.0.2.129/28 ?ip6:2001:DB8::/32 include:_spf.%{d} all redirect=x.example.com exp=e.example.com", out var record, out _).Should().BeTrue();
        var mx = record!.Mechanisms[0];
        mx.Should().BeEquivalentTo(new { Qualifier = SpfQualifier.SoftFail, Kind = SpfMechanismKind.Mx, Ip4PrefixLength = 30, Ip6PrefixLength = 64 });
        mx.DomainSpec!.Text.Should().Be("example.org");
        record.Mechanisms[1].Should().BeEquivalentTo(new { Qualifier = SpfQualifier.Fail, Kind = SpfMechanismKind.Ip4, Network = IPAddress.Parse("192.0.2.129"), Ip4PrefixLength = 28 });
        record.Mechanisms[2].Should().BeEquivalentTo(new { Qualifier = SpfQualifier.Neutral, Network = IPAddress.Parse("2001:db8::"), Ip6PrefixLength = 32 });
        record.Mechanisms[3].DomainSpec!.Text.Should().Be("_spf.%{d}");
        record.Mechanisms[4].Qualifier.Should().Be(SpfQualifier.Pass);
        record.HasAll.Should().BeTrue();
        record.Redirect!.Text.Should().Be("x.example.com");
        record.Explanation!.Text.Should().Be("e.example.com");
    }

    [Theory]
    [InlineData("v=spf1 redirect=a.example.com redirect=b.example.com", "more than once")]
    [InlineData("v=spf1 exp=a.example.com exp=b.example.com", "more than once")]
    [InlineData("v=spf1 foo", "unknown mechanism")]
    [InlineData("v=spf1 all:x", "no argument")]
    [InlineData("v=spf1 include", "domain-spec")]
    [InlineData("v=spf1 include:", "empty")]
    [InlineData("v=spf1 exists:foo", "top-level label")]
    [InlineData("v=spf1 a:1.2.3.4", "top-level label")]
    [InlineData("v=spf1 a/33", "0 to 32")]
    [InlineData("v=spf1 a/024", "0 to 32")]
    [InlineData("v=spf1 mx//129", "0 to 128")]
    [InlineData("v=spf1 ip4:192.0.2.0/33", "ip4")]
    [InlineData("v=spf1 ip4:192.0.2", "ip4")]
    [InlineData("v=spf1 ip4:192.0.2.01", "ip4")]
    [InlineData("v=spf1 ip4:256.0.0.1", "ip4")]
    [InlineData("v=spf1 ip4:2001:db8::1", "ip4")]
    [InlineData("v=spf1 ip6:192.0.2.1", "ip6")]
    [InlineData("v=spf1 ip6:fe80::1%eth0", "ip6")]
    [InlineData("v=spf1 ip6:2001:db8::/129", "ip6")]
    [InlineData("v=spf1 a:%{x}.example.com", "not allowed")]
    [InlineData("v=spf1 unknown=%", "lone")]
    [InlineData("v=spf1\t-all", "not an SPF")]
    [InlineData("v=spf1 ptr:", "empty")]
    public void Syntax_errors_anywhere_refuse_the_whole_record(string txt, string reason)
    {
        SpfRecord.TryParse(txt, out var record, out var error).Should().BeFalse();
        record.Should().BeNull();
        error.Should().Contain(reason);
    }
}
