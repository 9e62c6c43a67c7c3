using MailHost.Delivery;
using MailHost.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MailHost.Tests.Delivery;

public sealed class OutboundDeliveryConfigurationReaderTests
{
    private static IConfigurationSection Section(params string[] pairs)
        => new ConfigurationBuilder()
            .AddInMemoryCollection(pairs.Select(p => p.Split('=', 2)).Select(p => new KeyValuePair<string, string?>("MailHost:Outbound:" + p[0], p[1])))
            .Build()
            .GetSection(OutboundDeliveryOptions.SectionName);

    [Fact]
    public void Routes_the_smart_host_and_times_are_read()
    {
        var options = OutboundDeliveryConfigurationReader.Read(Section(
            "Routes:remote.example=127.0.0.1:2525",
            "Routes:Other.Example=[2001:db8::1]",
            "SmartHost:Host=smtp.provider.example",
            "SmartHost:Port=465",
            "SmartHost:Tls=implicit",
            "SmartHost:Username=relay-user",
            "SmartHost:Password=relay-pw",
            "RetryInitialDelay=00:00:00.250",
            "MaxAge=2.00:00:00"));

        options.Routes.Should().HaveCount(2);
        options.Routes["other.example"].Should().Be("[2001:db8::1]", "domains are matched case-insensitively");
        options.SmartHost!.Tls.Should().Be(OutboundTlsMode.Implicit);
        options.SmartHost.Port.Should().Be(465);
        options.RetryInitialDelay.Should().Be(TimeSpan.FromMilliseconds(250));
        options.MaxAge.Should().Be(TimeSpan.FromDays(2));
    }

    [Fact]
    public void An_empty_section_gives_the_defaults()
    {
        var options = OutboundDeliveryConfigurationReader.Read(Section());

        options.Should().BeEquivalentTo(new OutboundDeliveryOptions());
        options.SmartHost.Should().BeNull();
    }

    [Theory]
    [InlineData("Routes:remote.example=mx.remote.example:0", "MailHost:Outbound:Routes:remote.example: 'mx.remote.example:0' is not a route.")]
    [InlineData("Routes:remote.example=[127.0.0.1", "MailHost:Outbound:Routes:remote.example: '[127.0.0.1' is not a route.")]
    [InlineData("Routes:remote.example=:25", "MailHost:Outbound:Routes:remote.example: ':25' is not a route.")]
    [InlineData("SmartHost:Port=587", "MailHost:Outbound:SmartHost:Host: missing.")]
    [InlineData("SmartHost:Host=smtp.example:587", "MailHost:Outbound:SmartHost:Host: 'smtp.example:587' is not a host name or address; give the port under SmartHost:Port")]
    [InlineData("SmartHost:Host=smtp.example|SmartHost:Port=70000", "MailHost:Outbound:SmartHost:Port: 70000 is not a port")]
    [InlineData("SmartHost:Host=smtp.example|SmartHost:Tls=Sometimes", "MailHost:Outbound:SmartHost:Tls: 'Sometimes' is not one of StartTls, Implicit, Opportunistic or None.")]
    [InlineData("SmartHost:Host=smtp.example|SmartHost:Username=u", "MailHost:Outbound:SmartHost:Password: missing; a Username needs a Password.")]
    [InlineData("SmartHost:Host=smtp.example|SmartHost:Password=p", "MailHost:Outbound:SmartHost:Username: missing;")]
    [InlineData("SmartHost:Host=smtp.example|SmartHost:Username=u|SmartHost:Password=p|SmartHost:Tls=Opportunistic", "MailHost:Outbound:SmartHost:Tls: Opportunistic could send the password in plain text")]
    [InlineData("SmartHost:Host=smtp.example|SmartHost:CertificateFingerprint=abc", "MailHost:Outbound:SmartHost:CertificateFingerprint: must be the certificate's SHA-256 fingerprint")]
    [InlineData("MaxAge=soon", "MailHost:Outbound:MaxAge: 'soon' is not a time span")]
    [InlineData("MaxAge=00:00:00", "MailHost:Outbound:MaxAge: 00:00:00 must be more than zero.")]
    [InlineData("RetryInitialDelay=01:00:00|RetryMaxDelay=00:10:00", "MailHost:Outbound:RetryMaxDelay: 00:10:00 is shorter than RetryInitialDelay")]
    [InlineData("LeaseDuration=00:01:00", "MailHost:Outbound:LeaseDuration: 00:01:00 must be longer than CommandTimeout (00:02:00)")]
    [InlineData("MaxConcurrentMessages=0", "MailHost:Outbound:MaxConcurrentMessages: 0 must be at least 1.")]
    [InlineData("MaxRecipientsPerTransaction=many", "MailHost:Outbound:MaxRecipientsPerTransaction: 'many' is not a whole number.")]
    [InlineData("MxPort=0", "MailHost:Outbound:MxPort: 0 is not a port")]
    [InlineData("Hostname=mail example", "MailHost:Outbound:Hostname: 'mail example' is not a host name.")]
    public void Unusable_values_name_the_key_and_the_fix(string pairs, string expected)
    {
        var read = () => OutboundDeliveryConfigurationReader.Read(Section(pairs.Split('|')));

        var exception = read.Should().Throw<MailHostConfigurationException>().Which;
        exception.Message.Should().StartWith(expected);
        exception.Key.Should().Be(expected[..expected.IndexOf(": ", StringComparison.Ordinal)]);
    }

    [Fact]
    public void Registration_refuses_bad_configuration_at_once_and_bad_code_options_when_resolved()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new("MailHost:Outbound:Routes:remote.example", "host:99999")])
            .Build();
        var register = () => new ServiceCollection().AddMailHostOutboundDelivery(configuration);
        register.Should().Throw<MailHostConfigurationException>().Which.Key.Should().Be("MailHost:Outbound:Routes:remote.example");

        var services = new ServiceCollection().AddMailHostOutboundDelivery();
        services.Configure<OutboundDeliveryOptions>(o => o.SmartHost = new OutboundSmartHostOptions { Port = 25 });
        using var provider = services.BuildServiceProvider();
        var resolve = () => provider.GetRequiredService<IOptions<OutboundDeliveryOptions>>().Value;
        resolve.Should().Throw<OptionsValidationException>().Which.Message.Should().StartWith("MailHost:Outbound:SmartHost:Host: missing.");
    }
}
