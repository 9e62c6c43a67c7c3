using System.Net;
using MailHost.Connections;
using MailHost.Hosting;

namespace MailHost.Tests.Hosting;

public sealed class ConnectionAdmissionTests
{
    [Theory]
    [InlineData("192.0.2.1", true)]
    [InlineData("10.1.2.3", false)]
    [InlineData("10.9.9.9", true)]
    [InlineData("::ffff:10.1.2.3", false)]
    [InlineData("198.51.100.1", false)]
    public void Deny_wins_over_allow_and_an_allow_list_excludes_the_rest(string address, bool allowed)
    {
        var endpoint = new MailEndpointOptions();
        endpoint.AllowedNetworks.Add(IPNetwork.Parse("10.0.0.0/8"));
        endpoint.AllowedNetworks.Add(IPNetwork.Parse("192.0.2.0/24"));
        endpoint.DeniedNetworks.Add(IPNetwork.Parse("10.1.0.0/16"));

        ConnectionAdmissionMiddleware.IsAllowed(endpoint, ConnectionAdmissionMiddleware.Normalize(IPAddress.Parse(address))!).Should().Be(allowed);
    }

    [Fact]
    public void An_empty_allow_list_allows_everyone_not_denied()
    {
        var endpoint = new MailEndpointOptions();

        ConnectionAdmissionMiddleware.IsAllowed(endpoint, IPAddress.Parse("203.0.113.9")).Should().BeTrue();
    }

    [Fact]
    public void The_counter_enforces_both_limits_and_releases()
    {
        var counter = new ConnectionCounter();
        var a = IPNetwork.Parse("192.0.2.1/32");
        var b = IPNetwork.Parse("192.0.2.2/32");

        counter.TryAcquire(a, 3, 2, out _).Should().BeTrue();
        counter.TryAcquire(a, 3, 2, out _).Should().BeTrue();
        counter.TryAcquire(a, 3, 2, out var totalExceeded).Should().BeFalse();
        totalExceeded.Should().BeFalse();
        counter.TryAcquire(b, 3, 2, out _).Should().BeTrue();
        counter.TryAcquire(b, 3, 2, out totalExceeded).Should().BeFalse();
        totalExceeded.Should().BeTrue();

        counter.Release(a);
        counter.Release(a);
        counter.CountFor(a).Should().Be(0);
        counter.Total.Should().Be(1);
        counter.TryAcquire(a, 3, 2, out _).Should().BeTrue();
    }

    [Fact]
    public async Task The_counter_is_exact_under_contention()
    {
        var counter = new ConnectionCounter();
        var address = IPNetwork.Parse("192.0.2.1/32");

        await Task.WhenAll(Enumerable.Range(0, 8).Select(n => Task.Run(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                if (counter.TryAcquire(address, 0, 0, out _))
                {
                    counter.Release(address);
                }
            }
        })));

        counter.Total.Should().Be(0);
        counter.CountFor(address).Should().Be(0);
    }
}
