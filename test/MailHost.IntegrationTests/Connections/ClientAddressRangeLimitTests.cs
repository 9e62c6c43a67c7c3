using System.Net;
using MailHost.Hosting;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.IntegrationTests.Smtp;
using Microsoft.Extensions.DependencyInjection;

namespace MailHost.IntegrationTests.Connections;

/// <summary>
/// Per-client limits count address ranges, not single addresses: one IPv6 host owns a /64 (here the client address
/// comes from a trusted PROXY header, since loopback has one IPv6 address), and the grouping is configurable
/// (here IPv4 /24, so that 127.0.0.2 and 127.0.0.3 are one client).
/// </summary>
public sealed class ClientAddressRangeLimitTests
{
    private const string Refusal = "* BYE [UNAVAILABLE] Too many connections, try again later\r\n";

    [Fact]
    public async Task Two_addresses_of_one_IPv6_64_share_the_per_address_connection_limit()
    {
        await using var server = await TestMailServer<LineProtocolHandler>.StartAsync(o =>
        {
            o.Tls = MailTlsMode.None;
            o.ProxyProtocol = true;
            o.TrustedProxies.Add(IPNetwork.Parse("127.0.0.1/32"));
            o.MaxConnectionsPerAddress = 1;
        });

        await using var first = await ConnectViaProxyAsync(server, "2001:db8:1:2::a");
        (await first.ReadLineAsync()).Should().Be("* OK test ready tls=False");

        await using (var sameHost = await ConnectViaProxyAsync(server, "2001:db8:1:2:ffff::b"))
        {
            (await sameHost.ReadToEndAsync(TimeSpan.FromSeconds(10))).Should().Be(Refusal, "another address of the same /64 is the same client");
        }

        await using var otherHost = await ConnectViaProxyAsync(server, "2001:db8:1:3::a");
        (await otherHost.ReadLineAsync()).Should().Be("* OK test ready tls=False", "the next /64 is another client");
        server.Logs.Entries.Should().Contain(e => e.EventId.Id == 1012 && e.Message.Contains("2001:db8:1:2::/64", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_grouping_is_configurable_IPv4_24_makes_two_loopback_addresses_one_client()
    {
        await using var server = await TestMailServer<LineProtocolHandler>.StartAsync(
            o =>
            {
                o.Tls = MailTlsMode.None;
                o.MaxConnectionsPerAddress = 1;
            },
            services => services.Configure<MailHostOptions>(o => o.Limits.IPv4PrefixLength = 24));

        await using var first = await LineClient.ConnectFromAsync(server.EndPoint, IPAddress.Parse("127.0.0.2"));
        (await first.ReadLineAsync()).Should().Be("* OK test ready tls=False");
        await using var neighbour = await LineClient.ConnectFromAsync(server.EndPoint, IPAddress.Parse("127.0.0.3"));
        (await neighbour.ReadToEndAsync(TimeSpan.FromSeconds(10))).Should().Be(Refusal);
    }

    [Fact]
    public async Task By_default_each_IPv4_address_is_its_own_client()
    {
        await using var server = await TestMailServer<LineProtocolHandler>.StartAsync(o =>
        {
            o.Tls = MailTlsMode.None;
            o.MaxConnectionsPerAddress = 1;
        });

        await using var first = await LineClient.ConnectFromAsync(server.EndPoint, IPAddress.Parse("127.0.0.2"));
        (await first.ReadLineAsync()).Should().Be("* OK test ready tls=False");
        await using var neighbour = await LineClient.ConnectFromAsync(server.EndPoint, IPAddress.Parse("127.0.0.3"));
        (await neighbour.ReadLineAsync()).Should().Be("* OK test ready tls=False");
    }

    [Fact]
    public async Task The_unknown_recipient_limit_of_the_MX_counts_an_IPv6_64_as_one_prober()
    {
        await using var server = await SmtpTestHost.StartAsync(
            new MailWorld(),
            smtp: o => o.MaxUnknownRecipientsPerClient = 2,
            endpoint: o =>
            {
                o.ProxyProtocol = true;
                o.TrustedProxies.Add(IPNetwork.Parse("127.0.0.1/32"));
            });

        for (var host = 1; host <= 2; host++)
        {
            await using var prober = await ConnectViaProxyAsync(server, "2001:db8:4:4::" + host);
            (await prober.ReadLineAsync()).Should().StartWith("220 ");
            await prober.SendAsync("HELO probe.example\r\nMAIL FROM:<x@probe.example>\r\nRCPT TO:<nobody" + host + "@example.com>\r\n");
            (await prober.ReadLineAsync()).Should().StartWith("250 ");
            (await prober.ReadLineAsync()).Should().StartWith("250 ");
            (await prober.ReadLineAsync()).Should().StartWith("550 ");
        }

        await using var next = await ConnectViaProxyAsync(server, "2001:db8:4:4::99");
        (await next.ReadLineAsync()).Should().StartWith("220 ");
        await next.SendAsync("HELO probe.example\r\nMAIL FROM:<x@probe.example>\r\nRCPT TO:<alice@example.com>\r\n");
        (await next.ReadLineAsync()).Should().StartWith("250 ");
        (await next.ReadLineAsync()).Should().StartWith("250 ");
        (await next.ReadLineAsync()).Should().StartWith("450 4.7.1", "a third address of the same /64 has used up the budget");

        await using var elsewhere = await ConnectViaProxyAsync(server, "2001:db8:4:5::1");
        (await elsewhere.ReadLineAsync()).Should().StartWith("220 ");
        await elsewhere.SendAsync("HELO other.example\r\nMAIL FROM:<x@other.example>\r\nRCPT TO:<alice@example.com>\r\n");
        (await elsewhere.ReadLineAsync()).Should().StartWith("250 ");
        (await elsewhere.ReadLineAsync()).Should().StartWith("250 ");
        (await elsewhere.ReadLineAsync()).Should().StartWith("250 ", "another /64 has its own budget");
    }

    private static async Task<LineClient> ConnectViaProxyAsync<THandler>(TestMailServer<THandler> server, string client)
        where THandler : Microsoft.AspNetCore.Connections.ConnectionHandler
    {
        var connection = await LineClient.ConnectAsync(server.EndPoint);
        await connection.SendAsync($"PROXY TCP6 {client} 2001:db8::25 40000 25\r\n");
        return connection;
    }
}
