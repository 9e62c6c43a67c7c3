using System.Net;
using MailHost.Filtering.DnsLists;

namespace MailHost.Tests.Filtering.DnsLists;

public class DnsListQueryNameTests
{
    [Theory]
    // RFC 5782 §2.1's example: 192.168.42.23 is asked as 23.42.168.192.
    [InlineData("192.168.42.23", "23.42.168.192")]
    [InlineData("127.0.0.2", "2.0.0.127")]
    [InlineData("::ffff:192.0.2.1", "1.2.0.192")]
    // RFC 5782 §2.4's example: 2001:db8:1:2:3:4:567:89ab.
    [InlineData("2001:db8:1:2:3:4:567:89ab", "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2")]
    [InlineData("::1", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0")]
    [InlineData("fe80::a%3", "a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.e.f")]
    public void The_address_is_reversed_octet_by_octet_or_nibble_by_nibble(string address, string expected)
    {
        var name = DnsListQueryName.ReversedAddress(DnsListQueryName.Normalize(IPAddress.Parse(address)));

        name.Should().Be(expected);
        DnsListQueryName.For(name, "bl.example").Should().Be(expected + ".bl.example");
    }

    [Fact]
    public void Normalizing_drops_the_IPv6_scope_and_maps_IPv4_mapped_addresses()
    {
        DnsListQueryName.Normalize(IPAddress.Parse("fe80::a%3")).Should().Be(IPAddress.Parse("fe80::a"));
        DnsListQueryName.Normalize(IPAddress.Parse("::ffff:192.0.2.1")).Should().Be(IPAddress.Parse("192.0.2.1"));
    }
}
