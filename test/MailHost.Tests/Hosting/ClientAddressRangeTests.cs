using System.Net;
using MailHost.Connections;
using MailHost.Hosting;
using MailHost.Logins;
using MailHost.Smtp;
using MailHost.Tests.Logins;
using Microsoft.Extensions.Options;

namespace MailHost.Tests.Hosting;

/// <summary>
/// The one grouping of client addresses that every per-client limit shares: IPv4 per address, IPv6 per /64 by
/// default, an IPv4-mapped IPv6 address as the IPv4 client it is.
/// </summary>
public sealed class ClientAddressRangeTests
{
    [Theory]
    [InlineData("192.0.2.77", 32, 64, "192.0.2.77/32")]
    [InlineData("192.0.2.77", 24, 64, "192.0.2.0/24")]
    [InlineData("::ffff:192.0.2.77", 32, 64, "192.0.2.77/32")]
    [InlineData("::ffff:192.0.2.77", 24, 128, "192.0.2.0/24")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 32, 64, "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 32, 48, "2001:db8:1::/48")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 32, 128, "2001:db8:1:2:aaaa:bbbb:cccc:dddd/128")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 32, 60, "2001:db8:1::/60")]
    [InlineData("fe80::1%2", 32, 64, "fe80::/64")]
    public void An_address_is_counted_under_its_range(string address, int ipv4Prefix, int ipv6Prefix, string expected)
    {
        ClientAddressRange.Of(IPAddress.Parse(address), ipv4Prefix, ipv6Prefix).ToString().Should().Be(expected);
    }

    [Fact]
    public void Two_hosts_of_one_IPv6_64_are_one_client_and_the_next_64_is_another()
    {
        var limits = new MailLimitsOptions();
        var a = limits.RangeOf(IPAddress.Parse("2001:db8:5:6::1"));
        var b = limits.RangeOf(IPAddress.Parse("2001:db8:5:6:ffff:ffff:ffff:ffff"));
        var c = limits.RangeOf(IPAddress.Parse("2001:db8:5:7::1"));

        a.Should().Be(b);
        c.Should().NotBe(a);
    }

    [Theory]
    [InlineData(0, 64, "MailHost:Limits:IPv4PrefixLength")]
    [InlineData(33, 64, "MailHost:Limits:IPv4PrefixLength")]
    [InlineData(32, 0, "MailHost:Limits:IPv6PrefixLength")]
    [InlineData(32, 129, "MailHost:Limits:IPv6PrefixLength")]
    public void A_prefix_length_outside_its_family_is_refused_at_start_by_its_key(int ipv4Prefix, int ipv6Prefix, string key)
    {
        var limits = new MailLimitsOptions { IPv4PrefixLength = ipv4Prefix, IPv6PrefixLength = ipv6Prefix };

        limits.Invoking(l => l.Validate()).Should().Throw<MailHostConfigurationException>().Which.Key.Should().Be(key);
    }

    [Fact]
    public void The_connection_counter_counts_a_64_as_one_client()
    {
        var limits = new MailLimitsOptions();
        var counter = new ConnectionCounter();

        counter.TryAcquire(limits.RangeOf(IPAddress.Parse("2001:db8::1")), 0, 2, out _).Should().BeTrue();
        counter.TryAcquire(limits.RangeOf(IPAddress.Parse("2001:db8::2")), 0, 2, out _).Should().BeTrue();
        counter.TryAcquire(limits.RangeOf(IPAddress.Parse("2001:db8::3")), 0, 2, out var totalExceeded).Should().BeFalse();
        totalExceeded.Should().BeFalse();
        counter.TryAcquire(limits.RangeOf(IPAddress.Parse("2001:db8:0:1::3")), 0, 2, out _).Should().BeTrue();
    }

    [Fact]
    public void A_range_over_its_limit_never_holds_an_endpoint_slot()
    {
        var counter = new ConnectionCounter();
        var busy = IPNetwork.Parse("192.0.2.1/32");

        counter.TryAcquire(busy, 3, 1, out _).Should().BeTrue();
        counter.TryAcquire(busy, 3, 1, out _).Should().BeFalse();
        counter.Total.Should().Be(1);
        counter.HasRoom(busy, 3, 1).Should().BeFalse();
        counter.HasRoom(IPNetwork.Parse("192.0.2.2/32"), 3, 1).Should().BeTrue();
    }

    [Fact]
    public void Unknown_recipients_from_one_64_share_one_budget()
    {
        var smtp = Options.Create(new SmtpOptions { MaxUnknownRecipientsPerClient = 3 });
        var limiter = new SmtpUnknownRecipientLimiter(smtp, new MailLimitsOptions(), new FakeTimeProvider());
        for (var i = 1; i <= 3; i++)
        {
            limiter.Record(IPAddress.Parse("2001:db8:7:8::" + i.ToString("x", System.Globalization.CultureInfo.InvariantCulture)));
        }

        limiter.IsBlocked(IPAddress.Parse("2001:db8:7:8::99")).Should().BeTrue("a fresh address of the same /64 is the same prober");
        limiter.IsBlocked(IPAddress.Parse("2001:db8:7:9::1")).Should().BeFalse();
    }

    [Fact]
    public void Unknown_recipients_from_an_IPv4_mapped_address_count_for_the_IPv4_client()
    {
        var smtp = Options.Create(new SmtpOptions { MaxUnknownRecipientsPerClient = 1 });
        var limiter = new SmtpUnknownRecipientLimiter(smtp, new MailLimitsOptions(), new FakeTimeProvider());

        limiter.Record(IPAddress.Parse("::ffff:198.51.100.4"));

        limiter.IsBlocked(IPAddress.Parse("198.51.100.4")).Should().BeTrue();
    }

    [Fact]
    public void The_login_throttle_groups_with_the_same_rule()
    {
        var options = new AuthenticationOptions();
        var throttle = new AuthenticationThrottle(Options.Create(options), new FakeTimeProvider());

        throttle.RecordFailure(IPAddress.Parse("2001:db8:9:9::1"), "alice", "guess");
        throttle.RecordFailure(IPAddress.Parse("::ffff:192.0.2.50"), "bob", "guess");

        throttle.GetDelay(IPAddress.Parse("2001:db8:9:9::abcd"), "carol").Should().BeGreaterThan(TimeSpan.Zero);
        throttle.GetDelay(IPAddress.Parse("192.0.2.50"), "carol").Should().BeGreaterThan(TimeSpan.Zero);
        throttle.GetDelay(IPAddress.Parse("2001:db8:9:a::1"), "carol").Should().Be(TimeSpan.Zero);
    }
}
