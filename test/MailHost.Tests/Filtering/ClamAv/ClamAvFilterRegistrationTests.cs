using MailHost.Filtering;
using MailHost.Filtering.ClamAv;
using MailHost.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MailHost.Tests.Filtering.ClamAv;

public sealed class ClamAvFilterRegistrationTests
{
    [Fact]
    public void Without_an_address_nothing_is_registered()
    {
        var services = new ServiceCollection();

        ClamAvFilterRegistration.Add(services, Filtering(new() { ["MailHost:Filtering:ClamAv:MaxScanSize"] = "1000" }));

        services.Should().BeEmpty();
    }

    [Fact]
    public void With_an_address_the_filter_and_its_client_are_registered_with_the_settings()
    {
        var services = new ServiceCollection().AddLogging();

        ClamAvFilterRegistration.Add(services, Filtering(new()
        {
            ["MailHost:Filtering:ClamAv:Address"] = "unix:/run/clamav/clamd.ctl",
            ["MailHost:Filtering:ClamAv:ChunkSize"] = "8192",
            ["MailHost:Filtering:ClamAv:MaxScanSize"] = "1000000",
            ["MailHost:Filtering:ClamAv:Order"] = "50",
            ["MailHost:Filtering:ClamAv:Timeout"] = "00:00:05",
            ["MailHost:Filtering:ClamAv:OnFailure"] = "Accept",
        }));
        using var provider = services.BuildServiceProvider();

        var filter = provider.GetServices<IInboundMessageFilter>().Should().ContainSingle().Which;
        filter.Name.Should().Be("clamav");
        var options = filter.Policy.Should().BeOfType<ClamAvOptions>().Which;
        options.Order.Should().Be(50);
        options.Timeout.Should().Be(TimeSpan.FromSeconds(5));
        options.OnFailure.Should().Be(InboundFilterFailurePolicy.Accept);
        options.MaxScanSize.Should().Be(1_000_000);
        var client = provider.GetRequiredService<ClamdClient>();
        client.ChunkSize.Should().Be(8192);
        client.Address.ToString().Should().Be("unix:/run/clamav/clamd.ctl");
    }

    [Fact]
    public void The_defaults_are_order_200_30_seconds_temporary_failure_25_MiB_and_64_KiB()
    {
        var options = new ClamAvOptions();

        options.Order.Should().Be(200);
        options.Timeout.Should().Be(TimeSpan.FromSeconds(30));
        options.OnFailure.Should().Be(InboundFilterFailurePolicy.TempFail);
        options.MaxScanSize.Should().Be(25 * 1024 * 1024);
        options.ChunkSize.Should().Be(64 * 1024);
        options.Address.Should().BeNull();
    }

    [Theory]
    [InlineData("Address", "localhost:3310", "MailHost:Filtering:ClamAv:Address: 'localhost:3310' is not tcp://host:port*")]
    [InlineData("Address", "tcp://localhost", "MailHost:Filtering:ClamAv:Address: *needs a port*")]
    [InlineData("MaxScanSize", "0", "MailHost:Filtering:ClamAv:MaxScanSize: 0 is not a positive number of octets*")]
    [InlineData("ChunkSize", "100", "MailHost:Filtering:ClamAv:ChunkSize: 100 is not from 1024 to 16777216 octets*")]
    [InlineData("ChunkSize", "16777217", "MailHost:Filtering:ClamAv:ChunkSize: 16777217 is not from 1024*")]
    [InlineData("Timeout", "00:00:00", "MailHost:Filtering:ClamAv:Timeout: 00:00:00 is not a positive time span*")]
    [InlineData("OnFailure", "7", "MailHost:Filtering:ClamAv:OnFailure: 7 is not TempFail or Accept*")]
    [InlineData("ChunkSize", "big", "MailHost:Filtering:ClamAv: *")]
    public void A_bad_setting_throws_naming_the_key(string key, string value, string message)
    {
        var settings = new Dictionary<string, string?> { ["MailHost:Filtering:ClamAv:Address"] = "tcp://127.0.0.1:3310" };
        settings["MailHost:Filtering:ClamAv:" + key] = value;

        var add = () => ClamAvFilterRegistration.Add(new ServiceCollection(), Filtering(settings));

        add.Should().Throw<MailHostConfigurationException>().WithMessage(message);
    }

    private static IConfigurationSection Filtering(Dictionary<string, string?> settings)
        => new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection("MailHost:Filtering");
}
