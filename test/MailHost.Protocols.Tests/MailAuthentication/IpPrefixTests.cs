using System.Net;
using MailHost.Protocols.MailAuthentication;

namespace MailHost.Protocols.Tests.MailAuthentication;

public class IpPrefixTests
{
    [Theory]
    [InlineData("192.0.2.129", "192.0.2.128", 28, true)]
    [InlineData("192.0.2.143", "192.0.2.128", 28, true)]
    [InlineData("192.0.2.144", "192.0.2.128", 28, false)]
    [InlineData("192.0.2.65", "192.0.2.129", 28, false)]
    [InlineData("10.1.2.3", "192.0.2.1", 0, true)]
    [InlineData("192.0.2.1", "192.0.2.1", 32, true)]
    [InlineData("192.0.2.2", "192.0.2.1", 32, false)]
    [InlineData("192.0.2.2", "192.0.2.1", 31, false)]
    [InlineData("192.0.2.3", "192.0.2.2", 31, true)]
    [InlineData("2001:db8::1", "2001:db8::", 32, true)]
    [InlineData("2001:db9::1", "2001:db8::", 32, false)]
    [InlineData("2001:db8::1", "2001:db8::1", 128, true)]
    [InlineData("2001:db8::1", "192.0.2.1", 0, false)]
    public void Prefix_bits_decide(string address, string network, int length, bool matches)
        => IpPrefix.Matches(IPAddress.Parse(address), IPAddress.Parse(network), length).Should().Be(matches);
}
