using System.Net;
using MailHost.Accounts;
using MailHost.Server.Administration.Console;

namespace MailHost.IntegrationTests.Console;

/// <summary>The networks a mailbox user's own page groups logins by: IPv4 /24, IPv6 /48.</summary>
public sealed class LoginNetworksTests
{
    [Theory]
    [InlineData("203.0.113.77", "203.0.113.0/24")]
    [InlineData("::ffff:203.0.113.77", "203.0.113.0/24")] // a dual-stack socket's view of an IPv4 client
    [InlineData("2001:db8:1234:5678::1", "2001:db8:1234::/48")]
    [InlineData("::1", "::/48")]
    public void An_address_belongs_to_its_network(string address, string network)
        => LoginNetworks.PrefixOf(IPAddress.Parse(address)).Should().Be(network);

    [Fact]
    public void Logins_are_counted_per_network_with_the_most_used_first()
    {
        var now = DateTimeOffset.UnixEpoch;
        LoginRecord Login(string address, LoginOutcome outcome, int minutes, string protocol = "IMAP") =>
            new(now.AddMinutes(minutes), "carol", "carol", protocol, "PLAIN", new IPEndPoint(IPAddress.Parse(address), 50000), true, null, outcome);

        var networks = LoginNetworks.Summarize(
        [
            Login("198.51.100.10", LoginOutcome.Succeeded, 1),
            Login("198.51.100.20", LoginOutcome.Failed, 5, "SMTP"),
            Login("192.0.2.1", LoginOutcome.Failed, 3),
            new LoginRecord(now, "carol", "carol", "IMAP", "PLAIN", null, false, null, LoginOutcome.Succeeded),
        ]);

        networks.Should().HaveCount(2);
        networks[0].Should().BeEquivalentTo(new { Prefix = "198.51.100.0/24", Logins = 2, Failed = 1, LastSeen = now.AddMinutes(5), Protocols = new[] { "IMAP", "SMTP" } });
        networks[1].Should().BeEquivalentTo(new { Prefix = "192.0.2.0/24", Logins = 1, Failed = 1 });
    }
}
