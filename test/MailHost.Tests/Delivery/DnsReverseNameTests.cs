using System.Net;
using MailHost.Dns;

namespace MailHost.Tests.Delivery;

public class DnsReverseNameTests
{
    [Theory]
    [InlineData("192.0.2.3", "3.2.0.192.in-addr.arpa")]
    [InlineData("::ffff:192.0.2.3", "3.2.0.192.in-addr.arpa")]
    // RFC 3596 §2.5 example: 4321:0:1:2:3:4:567:89ab.
    [InlineData("4321:0:1:2:3:4:567:89ab", "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4.ip6.arpa")]
    public void Reverse_lookup_names_follow_RFC_1035_and_RFC_3596(string address, string name)
        => DnsClientResolver.ReverseName(IPAddress.Parse(address)).Should().Be(name);
}
