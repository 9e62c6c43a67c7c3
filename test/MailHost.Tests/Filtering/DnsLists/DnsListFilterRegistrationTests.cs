using System.Net;
using MailHost.Dns;
using MailHost.Filtering;
using MailHost.Filtering.DnsLists;
using MailHost.Hosting;
using MailHost.Tests.Delivery;
using MailHost.Tests.Logins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MailHost.Tests.Filtering.DnsLists;

public class DnsListFilterRegistrationTests
{
    private const string Section = "MailHost:Filtering:DnsLists";

    private static IConfiguration Filtering(params (string Key, string Value)[] settings)
        => new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>($"{Section}:{s.Key}", s.Value)))
            .Build()
            .GetSection("MailHost:Filtering");

    private static ServiceProvider Register(IConfiguration filtering, FakeDnsZone zone, FakeTimeProvider time)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IDnsResolver>(zone);
        services.AddSingleton<TimeProvider>(time);
        DnsListFilterRegistration.Add(services, filtering);
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task The_configured_lists_and_settings_are_bound_and_the_filter_uses_them()
    {
        var filtering = Filtering(
            ("BlockLists:0:Zone", "ZEN.Example.ORG."),
            ("BlockLists:0:Codes:127.0.0.2", "SBL"),
            ("BlockLists:0:Codes:127.0.0.4", "XBL"),
            ("BlockLists:1:Zone", "junk.example"),
            ("BlockLists:1:Action", "Junk"),
            ("AllowLists:0:Zone", "wl.example"),
            ("CacheTime", "00:02:00"),
            ("CacheSize", "50"),
            ("AllowListSkipsOtherFilters", "false"),
            ("ReplyText", "Go away, {address}"),
            ("Order", "7"),
            ("Timeout", "00:00:03"));
        var zone = new FakeDnsZone();
        zone.Addresses["1.2.0.192.zen.example.org"] = [IPAddress.Parse("127.0.0.4")];
        using var provider = Register(filtering, zone, new FakeTimeProvider());

        var filter = provider.GetServices<IInboundMessageFilter>().Should().ContainSingle().Which;

        filter.Name.Should().Be("dnslists");
        var options = filter.Policy.Should().BeOfType<DnsListOptions>().Which;
        options.BlockLists.Select(l => (l.Zone, l.Action)).Should().Equal(("ZEN.Example.ORG.", DnsListAction.Reject), ("junk.example", DnsListAction.Junk));
        options.BlockLists[0].Codes.Should().BeEquivalentTo(new Dictionary<string, string> { ["127.0.0.2"] = "SBL", ["127.0.0.4"] = "XBL" });
        options.AllowLists.Should().ContainSingle().Which.Zone.Should().Be("wl.example");
        options.CacheTime.Should().Be(TimeSpan.FromMinutes(2));
        options.CacheSize.Should().Be(50);
        options.AllowListSkipsOtherFilters.Should().BeFalse();
        options.Order.Should().Be(7);
        options.Timeout.Should().Be(TimeSpan.FromSeconds(3));
        options.OnFailure.Should().Be(InboundFilterFailurePolicy.Accept);

        var verdict = await filter.ConnectAsync(DnsListTestHost.Session("192.0.2.1"), CancellationToken.None).AsTask().WaitAsync(DnsListTestHost.Limit);
        verdict.Action.Should().Be(InboundFilterAction.Reject);
        verdict.ReplyText.Should().Be("Go away, 192.0.2.1");
        verdict.Summary.Should().Be("listed by zen.example.org (127.0.0.4 XBL)");
        zone.Asked.Should().BeEquivalentTo("1.2.0.192.wl.example", "1.2.0.192.zen.example.org", "1.2.0.192.junk.example", "1.2.0.192.zen.example.org");
    }

    [Fact]
    public void The_defaults_are_order_50_five_seconds_and_accept_on_failure()
    {
        var options = new DnsListOptions();

        options.Order.Should().Be(50);
        options.Timeout.Should().Be(TimeSpan.FromSeconds(5));
        options.OnFailure.Should().Be(InboundFilterFailurePolicy.Accept);
        options.OnSubmission.Should().BeFalse();
        options.CacheTime.Should().Be(TimeSpan.FromMinutes(10));
        options.CacheSize.Should().Be(100_000);
        options.AllowListSkipsOtherFilters.Should().BeTrue();
        options.ReplyText.Should().Be("Client address {address} is listed by {zone}{: reason}");
    }

    [Fact]
    public void Without_a_list_no_filter_is_registered()
    {
        using var provider = Register(Filtering(("CacheTime", "00:01:00")), new FakeDnsZone(), new FakeTimeProvider());

        provider.GetServices<IInboundMessageFilter>().Should().BeEmpty();
    }

    [Theory]
    [InlineData("BlockLists:0:Zone", "bl..example", "BlockLists:0:Zone")]
    [InlineData("BlockLists:0:Zone", "bl example", "BlockLists:0:Zone")]
    [InlineData("BlockLists:0:Zone", "-bl.example", "BlockLists:0:Zone")]
    [InlineData("BlockLists:1:Codes:127.0.0.2", "SBL", "BlockLists:1:Zone")]
    [InlineData("AllowLists:0:Codes:127.0.0.2", "x", "AllowLists:0:Zone")]
    [InlineData("BlockLists:0:Codes:10.0.0.2", "x", "BlockLists:0:Codes:10.0.0.2")]
    [InlineData("BlockLists:0:Codes:127.2", "x", "BlockLists:0:Codes:127.2")]
    [InlineData("BlockLists:0:Codes:127.0.0.256", "x", "BlockLists:0:Codes:127.0.0.256")]
    [InlineData("BlockLists:0:Codes:127.255.255.254", "x", "BlockLists:0:Codes:127.255.255.254")]
    [InlineData("BlockLists:0:Codes:127.0.0.1", "x", "BlockLists:0:Codes:127.0.0.1")]
    [InlineData("BlockLists:1", "zen.spamhaus.org", "BlockLists:1")]
    [InlineData("BlockLists:1:Zone", "BL.example", "BlockLists:1:Zone")]
    [InlineData("BlockLists:0:Action", "4", "BlockLists:0:Action")]
    [InlineData("CacheTime", "-00:00:01", "CacheTime")]
    [InlineData("CacheTime", "2.00:00:00", "CacheTime")]
    [InlineData("CacheSize", "0", "CacheSize")]
    [InlineData("Timeout", "00:00:00", "Timeout")]
    [InlineData("ReplyText", "listed by {list}", "ReplyText")]
    [InlineData("ReplyText", " ", "ReplyText")]
    public void An_unusable_setting_is_refused_naming_its_key(string key, string value, string faultyKey)
    {
        List<(string, string)> settings = key.EndsWith("Zone", StringComparison.Ordinal) && key.StartsWith("BlockLists:0", StringComparison.Ordinal)
            ? []
            : [("BlockLists:0:Zone", "bl.example")];
        settings.Add((key, value));

        var act = () => DnsListFilterRegistration.Add(new ServiceCollection(), Filtering([.. settings]));

        act.Should().Throw<MailHostConfigurationException>()
            .Where(e => e.Key == $"{Section}:{faultyKey}" && e.Message.StartsWith($"{Section}:{faultyKey}: ", StringComparison.Ordinal));
    }

    [Fact]
    public void An_action_that_is_not_Reject_or_Junk_is_refused_naming_the_key()
    {
        var act = () => DnsListFilterRegistration.Add(
            new ServiceCollection(),
            Filtering(("BlockLists:0:Zone", "bl.example"), ("BlockLists:0:Action", "Discard")));

        act.Should().Throw<MailHostConfigurationException>().WithMessage($"*{Section}:BlockLists:0:Action*");
    }
}
