using MailHost.Dns;
using MailHost.MailAuthentication;
using MailHost.Tests.Delivery;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MailHost.Tests.MailAuthentication;

public class MailAuthenticationRegistrationTests
{
    [Fact]
    public void The_MX_path_gets_a_DNS_resolver_and_options_from_configuration_without_outbound_delivery()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MailHost:MailAuthentication:DmarcEnforcement"] = "true",
            ["MailHost:MailAuthentication:MaxDkimSignatures"] = "3",
            ["MailHost:MailAuthentication:TimeBudget"] = "00:00:07",
        }).Build();
        using var provider = new ServiceCollection().AddMailHostMailAuthentication(configuration).BuildServiceProvider();

        provider.GetRequiredService<IDnsResolver>().Should().BeOfType<DnsClientResolver>();
        var authenticator = provider.GetRequiredService<MailAuthenticator>();
        authenticator.Options.Should().BeEquivalentTo(new { DmarcEnforcement = true, MaxDkimSignatures = 3, TimeBudget = TimeSpan.FromSeconds(7), Enabled = true });
    }

    [Fact]
    public void A_resolver_registered_first_is_kept()
    {
        var zone = new FakeDnsZone();
        using var provider = new ServiceCollection().AddSingleton<IDnsResolver>(zone).AddMailHostMailAuthentication().BuildServiceProvider();
        provider.GetRequiredService<IDnsResolver>().Should().BeSameAs(zone);
    }
}
