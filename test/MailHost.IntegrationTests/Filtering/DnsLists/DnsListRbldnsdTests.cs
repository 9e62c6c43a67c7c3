using System.Net;
using MailHost.Filtering;
using MailHost.Filtering.DnsLists;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MailHost.IntegrationTests.Filtering.DnsLists;

/// <summary>
/// The filter, registered from configuration, asking a real DNS list server through MailHost's real resolver: the
/// query names (IPv4 octets and IPv6 nibbles reversed), NXDOMAIN for clients not listed, and the TXT reasons are
/// those of rbldnsd, which many public lists run.
/// </summary>
public class DnsListRbldnsdTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);

    // rbldnsd's ip4set: a ":A:TXT" line sets the answer of the lines after it; "$" in the TXT is the address asked about.
    // 127.0.0.2 is listed for testing as RFC 5782 §5 asks, and 127.0.0.1 is not.
    private const string BlockList4 = """
        :127.0.0.2:Listed for testing, see https://bl.test/lookup?$
        127.0.0.2
        192.0.2.99 :127.0.0.4:Dynamic address $
        198.51.100.7
        """;

    private const string BlockList6 = """
        :127.0.0.2:IPv6 address $ is listed
        2001:db8::1
        """;

    private const string AllowList = """
        :127.0.10.2:Known sender
        198.51.100.7
        """;

    [RbldnsdFact]
    public async Task Listed_clients_are_refused_with_the_lists_reason_and_others_accepted()
    {
        await using var rbldnsd = await RbldnsdServer.StartAsync(
            ("bl.test", "ip4set", BlockList4), ("bl.test", "ip6trie", BlockList6), ("wl.test", "ip4set", AllowList));
        using var provider = Register(rbldnsd, ("BlockLists:0:Codes:127.0.0.2", "TEST"), ("BlockLists:0:Codes:127.0.0.4", "DYN"));
        var filter = provider.GetServices<IInboundMessageFilter>().Should().ContainSingle().Which;

        var test = await ConnectAsync(filter, "127.0.0.2");
        test.Action.Should().Be(InboundFilterAction.Reject, rbldnsd.Output);
        test.ReplyCode.Should().Be(554);
        test.EnhancedStatusCode.Should().Be("5.7.1");
        test.ReplyText.Should().Be("Client address 127.0.0.2 is listed by bl.test: Listed for testing, see https://bl.test/lookup?127.0.0.2");
        test.Summary.Should().Be("listed by bl.test (127.0.0.2 TEST)");

        var dynamic = await ConnectAsync(filter, "::ffff:192.0.2.99");
        dynamic.ReplyText.Should().Be("Client address 192.0.2.99 is listed by bl.test: Dynamic address 192.0.2.99");
        dynamic.Summary.Should().Be("listed by bl.test (127.0.0.4 DYN)");

        var v6 = await ConnectAsync(filter, "2001:db8::1");
        v6.Action.Should().Be(InboundFilterAction.Reject);
        v6.ReplyText.Should().Be("Client address 2001:db8::1 is listed by bl.test: IPv6 address 2001:db8::1 is listed");

        var notListed = await ConnectAsync(filter, "127.0.0.1");
        notListed.Action.Should().Be(InboundFilterAction.Accept);
        notListed.Summary.Should().Be("not listed (2 lists)");

        var notListed6 = await ConnectAsync(filter, "2001:db8::2");
        notListed6.Action.Should().Be(InboundFilterAction.Accept);
    }

    [RbldnsdFact]
    public async Task An_allow_listed_client_is_allowed_although_a_block_list_lists_it()
    {
        await using var rbldnsd = await RbldnsdServer.StartAsync(("bl.test", "ip4set", BlockList4), ("wl.test", "ip4set", AllowList));
        using var provider = Register(rbldnsd);
        var filter = provider.GetServices<IInboundMessageFilter>().Should().ContainSingle().Which;

        var verdict = await ConnectAsync(filter, "198.51.100.7");

        verdict.Action.Should().Be(InboundFilterAction.Allow, rbldnsd.Output);
        verdict.Summary.Should().Be("allowed by wl.test");
    }

    [RbldnsdFact]
    public async Task A_list_answering_a_refusal_code_lists_nobody()
    {
        // What Spamhaus answers a query that came through a public resolver: 127.255.255.254 for every address.
        await using var rbldnsd = await RbldnsdServer.StartAsync(("refusing.test", "ip4set", ":127.255.255.254:Query refused\n127.0.0.2\n"));
        var settings = new Dictionary<string, string?> { ["MailHost:Filtering:DnsLists:BlockLists:0:Zone"] = "refusing.test" };
        using var provider = Register(rbldnsd, settings);
        var filter = provider.GetServices<IInboundMessageFilter>().Should().ContainSingle().Which;

        var verdict = await ConnectAsync(filter, "127.0.0.2");

        verdict.Action.Should().Be(InboundFilterAction.Accept, rbldnsd.Output);
        verdict.Summary.Should().Be("not listed (1 list); errors: refusing.test answered 127.255.255.254");
    }

    private static ServiceProvider Register(RbldnsdServer rbldnsd, params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["MailHost:Filtering:DnsLists:BlockLists:0:Zone"] = "bl.test",
            ["MailHost:Filtering:DnsLists:AllowLists:0:Zone"] = "wl.test",
        };
        foreach (var (key, value) in extra)
        {
            settings["MailHost:Filtering:DnsLists:" + key] = value;
        }

        return Register(rbldnsd, settings);
    }

    private static ServiceProvider Register(RbldnsdServer rbldnsd, Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton(rbldnsd.CreateResolver());
        DnsListFilterRegistration.Add(services, configuration.GetSection("MailHost:Filtering"));
        return services.BuildServiceProvider();
    }

    private static async Task<InboundFilterVerdict> ConnectAsync(IInboundMessageFilter filter, string address)
    {
        var session = new InboundFilterSession
        {
            ClientAddress = IPAddress.Parse(address),
            ServerName = "mx.example.net",
            ConnectionId = "c-" + address,
        };
        return await filter.ConnectAsync(session, CancellationToken.None).AsTask().WaitAsync(Limit);
    }
}
