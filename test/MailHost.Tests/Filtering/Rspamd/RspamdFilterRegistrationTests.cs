using MailHost.Filtering;
using MailHost.Filtering.Rspamd;
using MailHost.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MailHost.Tests.Filtering.Rspamd;

/// <summary>Binding and checking <c>MailHost:Filtering:Rspamd</c>.</summary>
public sealed class RspamdFilterRegistrationTests
{
    [Fact]
    public void Without_a_url_nothing_is_registered()
    {
        var services = Register(new Dictionary<string, string?> { ["Other"] = "x" });

        services.Should().NotContain(service => service.ServiceType == typeof(IInboundMessageFilter) || service.ServiceType == typeof(IJunkLearner));
    }

    [Fact]
    public void A_url_registers_the_filter_with_its_defaults_and_the_controller_the_learner()
    {
        var services = Register(new Dictionary<string, string?>
        {
            ["Rspamd:Url"] = "http://127.0.0.1:11333",
            ["Rspamd:ControllerUrl"] = "http://127.0.0.1:11334",
            ["Rspamd:Password"] = "secret",
        });
        using var provider = services.BuildServiceProvider();

        var filter = provider.GetServices<IInboundMessageFilter>().Should().ContainSingle().Which;
        filter.Name.Should().Be("rspamd");
        filter.Policy.Order.Should().Be(300);
        filter.Policy.Timeout.Should().Be(TimeSpan.FromSeconds(15));
        filter.Policy.OnFailure.Should().Be(InboundFilterFailurePolicy.TempFail);
        ((RspamdOptions)filter.Policy).MaxMessageSize.Should().Be(20L * 1024 * 1024);
        provider.GetServices<IJunkLearner>().Should().ContainSingle().Which.Name.Should().Be("rspamd");
    }

    [Fact]
    public void Learning_can_be_turned_off_and_policy_settings_bind()
    {
        var services = Register(new Dictionary<string, string?>
        {
            ["Rspamd:Url"] = "http://127.0.0.1:11333",
            ["Rspamd:ControllerUrl"] = "http://127.0.0.1:11334",
            ["Rspamd:LearnFromJunkMoves"] = "false",
            ["Rspamd:Timeout"] = "00:00:05",
            ["Rspamd:OnFailure"] = "Accept",
            ["Rspamd:Order"] = "50",
        });
        using var provider = services.BuildServiceProvider();

        provider.GetServices<IJunkLearner>().Should().BeEmpty();
        var policy = provider.GetServices<IInboundMessageFilter>().Single().Policy;
        policy.Timeout.Should().Be(TimeSpan.FromSeconds(5));
        policy.OnFailure.Should().Be(InboundFilterFailurePolicy.Accept);
        policy.Order.Should().Be(50);
    }

    [Theory]
    [InlineData("Url", "127.0.0.1:11333", "MailHost:Filtering:Rspamd:Url")]
    [InlineData("Url", "ftp://127.0.0.1/", "MailHost:Filtering:Rspamd:Url")]
    [InlineData("ControllerUrl", "http://127.0.0.1:11334/?x=1", "MailHost:Filtering:Rspamd:ControllerUrl")]
    [InlineData("MaxMessageSize", "0", "MailHost:Filtering:Rspamd:MaxMessageSize")]
    [InlineData("Timeout", "00:00:00", "MailHost:Filtering:Rspamd:Timeout")]
    [InlineData("Timeout", "soon", "MailHost:Filtering:Rspamd")]
    public void A_bad_value_stops_the_start_naming_its_key(string setting, string value, string key)
    {
        var act = () => Register(new Dictionary<string, string?>
        {
            ["Rspamd:Url"] = "http://127.0.0.1:11333",
            ["Rspamd:" + setting] = value,
        });

        act.Should().Throw<MailHostConfigurationException>().Which.Key.Should().Be(key);
    }

    private static ServiceCollection Register(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        RspamdFilterRegistration.Add(services, configuration);
        return services;
    }
}
