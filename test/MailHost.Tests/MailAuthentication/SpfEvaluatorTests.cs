using System.Net;
using MailHost.Dns;
using MailHost.MailAuthentication;
using MailHost.Protocols.MailAuthentication;
using MailHost.Tests.Delivery;

namespace MailHost.Tests.MailAuthentication;

public class SpfEvaluatorTests
{
    /// <summary>The zone of RFC 7208 Appendix A (www's CNAME left out: the fake zone has no CNAMEs and no example uses it).</summary>
    internal static FakeDnsZone AppendixAZone()
    {
        var zone = new FakeDnsZone();
        zone.Mx["example.com"] = [new DnsMxRecord(10, "mail-a.example.com"), new DnsMxRecord(20, "mail-b.example.com")];
        zone.Addresses["example.com"] = [IPAddress.Parse("192.0.2.10"), IPAddress.Parse("192.0.2.11")];
        zone.Addresses["amy.example.com"] = [IPAddress.Parse("192.0.2.65")];
        zone.Addresses["bob.example.com"] = [IPAddress.Parse("192.0.2.66")];
        zone.Addresses["mail-a.example.com"] = [IPAddress.Parse("192.0.2.129")];
        zone.Addresses["mail-b.example.com"] = [IPAddress.Parse("192.0.2.130")];
        zone.Mx["example.org"] = [new DnsMxRecord(10, "mail-c.example.org")];
        zone.Addresses["mail-c.example.org"] = [IPAddress.Parse("192.0.2.140")];
        zone.Reverse[IPAddress.Parse("192.0.2.10")] = ["example.com"];
        zone.Reverse[IPAddress.Parse("192.0.2.11")] = ["example.com"];
        zone.Reverse[IPAddress.Parse("192.0.2.65")] = ["amy.example.com"];
        zone.Reverse[IPAddress.Parse("192.0.2.66")] = ["bob.example.com"];
        zone.Reverse[IPAddress.Parse("192.0.2.129")] = ["mail-a.example.com"];
        zone.Reverse[IPAddress.Parse("192.0.2.130")] = ["mail-b.example.com"];
        zone.Reverse[IPAddress.Parse("192.0.2.140")] = ["mail-c.example.org"];
        zone.Reverse[IPAddress.Parse("10.0.0.4")] = ["bob.example.com"];
        return zone;
    }

    internal static async Task<SpfVerdict> CheckAsync(IDnsResolver zone, string ip, string sender = "test@example.com", string? helo = "mx.client.example", int voidLimit = 2)
    {
        using var budget = new CancellationTokenSource();
        var dns = new MailAuthenticationDns(zone, TimeSpan.FromSeconds(30), TimeProvider.System, budget.Token);
        var at = sender.LastIndexOf('@');
        return await SpfEvaluator.CheckMailFromAsync(dns, voidLimit, IPAddress.Parse(ip), at < 0 ? null : sender[..at], at < 0 ? null : sender[(at + 1)..], helo)
            .AsTask().WaitAsync(TimeSpan.FromSeconds(30));
    }

    // RFC 7208 Appendix A.1: each record published for example.com and the results for the listed hosts.
    public static TheoryData<string, string, SpfResult> AppendixA1 => new()
    {
        { "v=spf1 +all", "192.0.2.99", SpfResult.Pass },
        { "v=spf1 +all", "10.0.0.1", SpfResult.Pass },
        { "v=spf1 a -all", "192.0.2.10", SpfResult.Pass },
        { "v=spf1 a -all", "192.0.2.11", SpfResult.Pass },
        { "v=spf1 a -all", "192.0.2.12", SpfResult.Fail },
        { "v=spf1 a:example.org -all", "192.0.2.10", SpfResult.Fail },
        { "v=spf1 mx -all", "192.0.2.129", SpfResult.Pass },
        { "v=spf1 mx -all", "192.0.2.130", SpfResult.Pass },
        { "v=spf1 mx -all", "192.0.2.10", SpfResult.Fail },
        { "v=spf1 mx:example.org -all", "192.0.2.140", SpfResult.Pass },
        { "v=spf1 mx:example.org -all", "192.0.2.129", SpfResult.Fail },
        { "v=spf1 mx mx:example.org -all", "192.0.2.129", SpfResult.Pass },
        { "v=spf1 mx mx:example.org -all", "192.0.2.130", SpfResult.Pass },
        { "v=spf1 mx mx:example.org -all", "192.0.2.140", SpfResult.Pass },
        { "v=spf1 mx/30 mx:example.org/30 -all", "192.0.2.128", SpfResult.Pass },
        { "v=spf1 mx/30 mx:example.org/30 -all", "192.0.2.131", SpfResult.Pass },
        { "v=spf1 mx/30 mx:example.org/30 -all", "192.0.2.132", SpfResult.Fail },
        { "v=spf1 mx/30 mx:example.org/30 -all", "192.0.2.141", SpfResult.Pass },
        { "v=spf1 mx/30 mx:example.org/30 -all", "192.0.2.143", SpfResult.Pass },
        { "v=spf1 mx/30 mx:example.org/30 -all", "192.0.2.144", SpfResult.Fail },
        // "sending host 192.0.2.65 passes (reverse DNS is valid and is in example.com)"
        { "v=spf1 ptr -all", "192.0.2.65", SpfResult.Pass },
        // "sending host 192.0.2.140 fails (reverse DNS is valid, but not in example.com)"
        { "v=spf1 ptr -all", "192.0.2.140", SpfResult.Fail },
        // "sending host 10.0.0.4 fails (reverse IP is not valid)"
        { "v=spf1 ptr -all", "10.0.0.4", SpfResult.Fail },
        { "v=spf1 ip4:192.0.2.128/28 -all", "192.0.2.65", SpfResult.Fail },
        { "v=spf1 ip4:192.0.2.128/28 -all", "192.0.2.129", SpfResult.Pass },
    };

    [Theory]
    [MemberData(nameof(AppendixA1))]
    public async Task RFC_7208_appendix_A1_simple_examples(string record, string ip, SpfResult expected)
    {
        var zone = AppendixAZone();
        zone.Txt["example.com"] = [record];
        var verdict = await CheckAsync(zone, ip);
        verdict.Result.Should().Be(expected, verdict.Reason);
        verdict.Should().BeEquivalentTo(new { Identity = "mailfrom", Domain = "example.com", Sender = "test@example.com" });
    }

    [Theory]
    [InlineData("192.0.2.129", SpfResult.Pass)]
    [InlineData("192.0.2.200", SpfResult.Pass)]
    [InlineData("192.0.2.10", SpfResult.Fail)]
    public async Task RFC_7208_appendix_A2_multiple_domains_through_redirect_and_include(string ip, SpfResult expected)
    {
        var zone = AppendixAZone();
        zone.Txt["la.example.org"] = ["v=spf1 redirect=example.org"];
        zone.Txt["example.org"] = ["v=spf1 include:example.com include:example.net -all"];
        zone.Txt["example.com"] = ["v=spf1 mx -all"];
        zone.Txt["example.net"] = ["v=spf1 ip4:192.0.2.200 -all"];
        (await CheckAsync(zone, ip, "test@la.example.org")).Result.Should().Be(expected);
    }

    [Theory]
    [InlineData("mary@example.com", "10.1.1.1", SpfResult.Pass)]
    [InlineData("fred@example.com", "10.1.1.1", SpfResult.Pass)]
    [InlineData("mary+travel@example.com", "10.1.1.1", SpfResult.Pass)]
    [InlineData("joel@example.com", "192.168.15.15", SpfResult.Pass)]
    [InlineData("joel@example.com", "192.168.15.16", SpfResult.Pass)]
    [InlineData("joel@example.com", "192.168.15.17", SpfResult.Fail)]
    [InlineData("nobody@example.com", "10.1.1.1", SpfResult.Fail)]
    [InlineData("nobody@example.com", "192.0.2.129", SpfResult.Pass)]
    public async Task RFC_7208_appendix_A3_DNSBL_style_with_macros(string sender, string ip, SpfResult expected)
    {
        var zone = AppendixAZone();
        zone.Txt["example.com"] = ["v=spf1 mx include:mobile-users._spf.%{d} include:remote-users._spf.%{d} -all"];
        zone.Txt["mobile-users._spf.example.com"] = ["v=spf1 exists:%{l1r+}.%{d}"];
        zone.Txt["remote-users._spf.example.com"] = ["v=spf1 exists:%{ir}.%{l1r+}.%{d}"];
        var loopback = IPAddress.Parse("127.0.0.2");
        zone.Addresses["mary.mobile-users._spf.example.com"] = [loopback];
        zone.Addresses["fred.mobile-users._spf.example.com"] = [loopback];
        zone.Addresses["15.15.168.192.joel.remote-users._spf.example.com"] = [loopback];
        zone.Addresses["16.15.168.192.joel.remote-users._spf.example.com"] = [loopback];
        var verdict = await CheckAsync(zone, ip, sender);
        verdict.Result.Should().Be(expected, verdict.Reason);
    }

    [Theory]
    [InlineData("192.0.2.65", SpfResult.Pass)]
    [InlineData("192.0.2.140", SpfResult.Fail)]
    [InlineData("10.0.0.4", SpfResult.Fail)]
    public async Task RFC_7208_appendix_A4_multiple_requirements(string ip, SpfResult expected)
    {
        var zone = AppendixAZone();
        zone.Txt["example.com"] = ["v=spf1 -include:ip4._spf.%{d} -include:ptr._spf.%{d} +all"];
        zone.Txt["ip4._spf.example.com"] = ["v=spf1 -ip4:192.0.2.0/24 +all"];
        zone.Txt["ptr._spf.example.com"] = ["v=spf1 -ptr:example.com +all"];
        (await CheckAsync(zone, ip)).Result.Should().Be(expected);
    }

    [Fact]
    public async Task Ten_DNS_terms_are_allowed_and_the_eleventh_is_a_permerror()
    {
        var zone = new FakeDnsZone();
        for (var i = 1; i <= 11; i++)
        {
            zone.Addresses[$"h{i}.example.com"] = [IPAddress.Parse("198.51.100.1")];
        }

        zone.Txt["example.com"] = ["v=spf1 " + string.Join(' ', Enumerable.Range(1, 10).Select(i => $"a:h{i}.example.com")) + " -all"];
        (await CheckAsync(zone, "192.0.2.1")).Result.Should().Be(SpfResult.Fail);

        zone.Txt["example.com"] = ["v=spf1 " + string.Join(' ', Enumerable.Range(1, 11).Select(i => $"a:h{i}.example.com")) + " -all"];
        var verdict = await CheckAsync(zone, "192.0.2.1");
        verdict.Result.Should().Be(SpfResult.PermError);
        verdict.Reason.Should().Contain("more than 10 DNS-querying terms");
    }

    [Fact]
    public async Task The_limit_counts_across_includes_and_redirects()
    {
        var zone = new FakeDnsZone();

        // 1 include + 4 in it + 1 redirect + 5 in the target = 11.
        zone.Txt["example.com"] = ["v=spf1 include:inc.example.com redirect=red.example.com"];
        zone.Txt["inc.example.com"] = ["v=spf1 " + string.Join(' ', Enumerable.Range(1, 4).Select(i => $"a:h{i}.example.com")) + " -all"];
        zone.Txt["red.example.com"] = ["v=spf1 " + string.Join(' ', Enumerable.Range(5, 5).Select(i => $"a:h{i}.example.com")) + " -all"];
        for (var i = 1; i <= 9; i++)
        {
            zone.Addresses[$"h{i}.example.com"] = [IPAddress.Parse("198.51.100.1")];
        }

        (await CheckAsync(zone, "192.0.2.1")).Result.Should().Be(SpfResult.PermError);
        zone.Txt["red.example.com"] = ["v=spf1 " + string.Join(' ', Enumerable.Range(5, 4).Select(i => $"a:h{i}.example.com")) + " -all"];
        (await CheckAsync(zone, "192.0.2.1")).Result.Should().Be(SpfResult.Fail);
    }

    [Fact]
    public async Task Two_void_lookups_are_allowed_and_the_third_is_a_permerror()
    {
        var zone = new FakeDnsZone();
        zone.Addresses["exists-no-a.example.com"] = [IPAddress.Parse("2001:db8::1")];
        zone.Txt["example.com"] = ["v=spf1 a:missing1.example.com a:exists-no-a.example.com -all"];
        (await CheckAsync(zone, "192.0.2.1")).Result.Should().Be(SpfResult.Fail, "NXDOMAIN and NODATA are two void lookups");

        zone.Txt["example.com"] = ["v=spf1 a:missing1.example.com a:exists-no-a.example.com mx:missing3.example.com -all"];
        var verdict = await CheckAsync(zone, "192.0.2.1");
        verdict.Result.Should().Be(SpfResult.PermError);
        verdict.Reason.Should().Contain("void");

        (await CheckAsync(zone, "192.0.2.1", voidLimit: 3)).Result.Should().Be(SpfResult.Fail, "the limit is configurable");
    }

    [Fact]
    public async Task An_mx_with_more_than_ten_records_is_a_permerror()
    {
        var zone = new FakeDnsZone();
        zone.Mx["example.com"] = [.. Enumerable.Range(1, 11).Select(i => new DnsMxRecord(i, $"mx{i}.example.com"))];
        zone.Txt["example.com"] = ["v=spf1 mx -all"];
        (await CheckAsync(zone, "192.0.2.1")).Result.Should().Be(SpfResult.PermError);
    }

    [Theory]
    [InlineData("v=spf1 include:nospf.example.com -all", SpfResult.PermError)]
    [InlineData("v=spf1 include:nxdomain.example.com -all", SpfResult.PermError)]
    [InlineData("v=spf1 include:broken.example.com -all", SpfResult.TempError)]
    [InlineData("v=spf1 include:bad.example.com -all", SpfResult.PermError)]
    [InlineData("v=spf1 include:failing.example.com -all", SpfResult.Fail)]
    [InlineData("v=spf1 include:softfailing.example.com ?all", SpfResult.Neutral)]
    [InlineData("v=spf1 -include:passing.example.com +all", SpfResult.Fail)]
    public async Task Include_maps_the_inner_result(string record, SpfResult expected)
    {
        var zone = new FakeDnsZone();
        zone.Txt["example.com"] = [record];
        zone.Txt["nospf.example.com"] = ["just some text"];
        zone.Txt["bad.example.com"] = ["v=spf1 nonsense"];
        zone.Txt["failing.example.com"] = ["v=spf1 -all"];
        zone.Txt["softfailing.example.com"] = ["v=spf1 ~all"];
        zone.Txt["passing.example.com"] = ["v=spf1 ip4:192.0.2.1"];
        zone.Failing.Add("broken.example.com");
        (await CheckAsync(zone, "192.0.2.1")).Result.Should().Be(expected);
    }

    [Theory]
    [InlineData("v=spf1 redirect=other.example.com", "192.0.2.1", SpfResult.Pass)]
    [InlineData("v=spf1 redirect=other.example.com", "192.0.2.2", SpfResult.SoftFail)]
    [InlineData("v=spf1 ip4:192.0.2.2 redirect=other.example.com", "192.0.2.2", SpfResult.Pass)]
    [InlineData("v=spf1 ?all redirect=other.example.com", "192.0.2.1", SpfResult.Neutral)]
    [InlineData("v=spf1 redirect=nospf.example.com", "192.0.2.1", SpfResult.PermError)]
    [InlineData("v=spf1 redirect=%{d}.redirected.example.net", "192.0.2.1", SpfResult.Fail)]
    public async Task Redirect_applies_only_when_nothing_matched_and_there_is_no_all(string record, string ip, SpfResult expected)
    {
        var zone = new FakeDnsZone();
        zone.Txt["example.com"] = [record];
        zone.Txt["other.example.com"] = ["v=spf1 ip4:192.0.2.1 ~all"];
        zone.Txt["nospf.example.com"] = ["text"];
        zone.Txt["example.com.redirected.example.net"] = ["v=spf1 -all"];
        (await CheckAsync(zone, ip)).Result.Should().Be(expected);
    }

    [Theory]
    [InlineData(new[] { "v=spf1 -all", "v=spf1 +all" }, SpfResult.PermError)]
    [InlineData(new[] { "some text", "spf2.0/pra +all" }, SpfResult.None)]
    [InlineData(new[] { "v=spf1 ip4:192.0.2.1 include", "other" }, SpfResult.PermError)]
    [InlineData(new[] { "text", "v=spf1 ip4:192.0.2.1 -all" }, SpfResult.Pass)]
    [InlineData(new[] { "v=spf1" }, SpfResult.Neutral)]
    public async Task Record_selection_and_syntax(string[] records, SpfResult expected)
    {
        var zone = new FakeDnsZone();
        zone.Txt["example.com"] = [.. records];
        (await CheckAsync(zone, "192.0.2.1")).Result.Should().Be(expected);
    }

    [Fact]
    public async Task Missing_records_and_bad_domains_are_none_and_DNS_failures_temperror()
    {
        var zone = new FakeDnsZone();
        zone.Failing.Add("broken.example.com");
        zone.Txt["a.example.com"] = ["v=spf1 a:broken.example.com -all"];
        zone.Txt["m.example.com"] = ["v=spf1 mx:broken.example.com -all"];
        zone.Txt["e.example.com"] = ["v=spf1 exists:broken.example.com -all"];
        (await CheckAsync(zone, "192.0.2.1", "x@nxdomain.example.com")).Result.Should().Be(SpfResult.None);
        (await CheckAsync(zone, "192.0.2.1", "x@localhost")).Result.Should().Be(SpfResult.None);
        (await CheckAsync(zone, "192.0.2.1", "x@broken.example.com")).Result.Should().Be(SpfResult.TempError);
        (await CheckAsync(zone, "192.0.2.1", "x@a.example.com")).Result.Should().Be(SpfResult.TempError);
        (await CheckAsync(zone, "192.0.2.1", "x@m.example.com")).Result.Should().Be(SpfResult.TempError);
        (await CheckAsync(zone, "192.0.2.1", "x@e.example.com")).Result.Should().Be(SpfResult.TempError);
    }

    [Fact]
    public async Task A_PTR_failure_makes_ptr_not_match_instead_of_temperror()
    {
        var zone = new FakeDnsZone();
        zone.Failing.Add("192.0.2.1");
        zone.Txt["example.com"] = ["v=spf1 ptr ~all"];
        (await CheckAsync(zone, "192.0.2.1")).Result.Should().Be(SpfResult.SoftFail);
    }

    [Fact]
    public async Task The_null_sender_is_checked_as_postmaster_at_the_HELO_domain()
    {
        var zone = new FakeDnsZone();
        zone.Txt["mx.client.example"] = ["v=spf1 exists:%{l}.%{o}.allow.example.net -all"];
        zone.Addresses["postmaster.mx.client.example.allow.example.net"] = [IPAddress.Parse("127.0.0.2")];
        using var budget = new CancellationTokenSource();
        var dns = new MailAuthenticationDns(zone, TimeSpan.FromSeconds(30), TimeProvider.System, budget.Token);
        var verdict = await SpfEvaluator.CheckMailFromAsync(dns, 2, IPAddress.Parse("192.0.2.1"), null, null, "mx.client.example");
        verdict.Should().BeEquivalentTo(new { Result = SpfResult.Pass, Identity = "mailfrom", Domain = "mx.client.example", Sender = "postmaster@mx.client.example" });

        var noHelo = await SpfEvaluator.CheckMailFromAsync(dns, 2, IPAddress.Parse("192.0.2.1"), null, null, "[192.0.2.1]");
        noHelo.Result.Should().Be(SpfResult.None);

        var helo = await SpfEvaluator.CheckHeloAsync(dns, 2, IPAddress.Parse("192.0.2.1"), "mx.client.example");
        helo.Should().BeEquivalentTo(new { Result = SpfResult.Pass, Identity = "helo", Domain = "mx.client.example" });
    }

    [Fact]
    public async Task IPv6_clients_use_AAAA_and_ip6_and_IPv4_mapped_clients_count_as_IPv4()
    {
        var zone = new FakeDnsZone();
        zone.Addresses["example.com"] = [IPAddress.Parse("192.0.2.10"), IPAddress.Parse("2001:db8::10")];
        zone.Txt["example.com"] = ["v=spf1 ip6:2001:db8:1::/48 a/24//64 -all"];
        (await CheckAsync(zone, "2001:db8:1::99")).Result.Should().Be(SpfResult.Pass);
        (await CheckAsync(zone, "2001:db8::abcd")).Result.Should().Be(SpfResult.Pass);
        (await CheckAsync(zone, "2001:db8:0:1::1")).Result.Should().Be(SpfResult.Fail);
        (await CheckAsync(zone, "192.0.2.99")).Result.Should().Be(SpfResult.Pass);
        (await CheckAsync(zone, "::ffff:192.0.2.99")).Result.Should().Be(SpfResult.Pass);
        (await CheckAsync(zone, "192.0.3.1")).Result.Should().Be(SpfResult.Fail);
    }

    [Fact]
    public async Task The_p_macro_uses_a_validated_name_and_counts_as_a_lookup()
    {
        var zone = AppendixAZone();
        zone.Txt["example.com"] = ["v=spf1 exists:%{p}.allowed.example.net -all"];
        zone.Addresses["amy.example.com.allowed.example.net"] = [IPAddress.Parse("127.0.0.2")];
        (await CheckAsync(zone, "192.0.2.65")).Result.Should().Be(SpfResult.Pass);

        // 10.0.0.4 claims bob.example.com, which does not resolve back to it: %{p} is "unknown".
        zone.Addresses["unknown.allowed.example.net"] = [IPAddress.Parse("127.0.0.2")];
        (await CheckAsync(zone, "10.0.0.4")).Result.Should().Be(SpfResult.Pass);
        zone.Asked.Should().Contain("unknown.allowed.example.net");
    }
}
