using System.Net;
using MailHost.Hosting;
using Microsoft.Extensions.Configuration;

namespace MailHost.Tests.Hosting;

public sealed class MailEndpointConfigurationReaderTests
{
    private static IReadOnlyList<MailEndpointDefinition> Read(params (string Key, string Value)[] values)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>("MailHost:Endpoints:" + v.Key, v.Value)))
            .Build();
        return MailEndpointConfigurationReader.Read(configuration.GetSection("MailHost:Endpoints"));
    }

    [Theory]
    [InlineData("imap://*:143", MailProtocol.Imap, MailTlsMode.StartTls, 143)]
    [InlineData("imaps://*:993", MailProtocol.Imap, MailTlsMode.Implicit, 993)]
    [InlineData("pop3://*", MailProtocol.Pop3, MailTlsMode.StartTls, 110)]
    [InlineData("pop3s://*", MailProtocol.Pop3, MailTlsMode.Implicit, 995)]
    [InlineData("smtp://*:25", MailProtocol.Smtp, MailTlsMode.StartTls, 25)]
    [InlineData("submission://*", MailProtocol.Submission, MailTlsMode.StartTls, 587)]
    [InlineData("SUBMISSIONS://*", MailProtocol.Submission, MailTlsMode.Implicit, 465)]
    public void The_scheme_names_the_protocol_and_default_TLS(string url, MailProtocol protocol, MailTlsMode tls, int port)
    {
        var endpoint = Read(("Any:Url", url)).Single();

        endpoint.Name.Should().Be("Any");
        endpoint.Options.Protocol.Should().Be(protocol);
        endpoint.Options.Tls.Should().Be(tls);
        endpoint.Port.Should().Be(port);
        endpoint.Address.Should().BeNull();
        endpoint.Enabled.Should().BeTrue();
    }

    [Fact]
    public void Hosts_and_options_are_read()
    {
        var endpoints = Read(
            ("A:Url", "imap://127.0.0.1:1143"),
            ("A:Tls", "auto"),
            ("A:Allow:0", "10.0.0.0/8"),
            ("A:Deny:0", "10.1.2.3"),
            ("A:MaxConnectionsPerAddress", "7"),
            ("A:SendBufferSize", "0"),
            ("A:TlsDetectionTimeout", "00:00:02.5"),
            ("B:Url", "pop3://[::1]:1110"),
            ("B:Enabled", "false"),
            ("C:Url", "smtp://localhost:1025"),
            ("C:ProxyProtocol", "true"),
            ("C:TrustedProxies", "192.0.2.0/24, 198.51.100.7"));

        var a = endpoints.Single(e => e.Name == "A");
        a.Address.Should().Be(IPAddress.Loopback);
        a.Port.Should().Be(1143);
        a.Options.Tls.Should().Be(MailTlsMode.Auto);
        a.Options.AllowedNetworks.Should().Equal(IPNetwork.Parse("10.0.0.0/8"));
        a.Options.DeniedNetworks.Should().Equal(IPNetwork.Parse("10.1.2.3/32"));
        a.Options.MaxConnectionsPerAddress.Should().Be(7);
        a.Options.SendBufferSize.Should().Be(0, "0 leaves the send buffer to the system");
        a.Options.TlsDetectionTimeout.Should().Be(TimeSpan.FromSeconds(2.5));
        var b = endpoints.Single(e => e.Name == "B");
        b.Address.Should().Be(IPAddress.IPv6Loopback);
        b.Enabled.Should().BeFalse();
        var c = endpoints.Single(e => e.Name == "C");
        c.IsLocalhost.Should().BeTrue();
        c.Options.ProxyProtocol.Should().BeTrue();
        c.Options.TrustedProxies.Should().HaveCount(2);
    }

    [Theory]
    [InlineData("Url", "", "MailHost:Endpoints:X:Url: missing")]
    [InlineData("Url", "http://*:80", "MailHost:Endpoints:X:Url: 'http://*:80' has an unknown scheme")]
    [InlineData("Url", "imap://*:99999", "MailHost:Endpoints:X:Url: 'imap://*:99999' has an invalid port")]
    [InlineData("Url", "imap://mail.example.com:143", "must be *, localhost or an IP address")]
    [InlineData("Tls", "Maybe", "MailHost:Endpoints:X:Tls: 'Maybe' is not a TLS mode")]
    [InlineData("Tls", "7", "MailHost:Endpoints:X:Tls: '7' is not a TLS mode")]
    [InlineData("Allow:0", "10.0.0.0/99", "MailHost:Endpoints:X:Allow:0: '10.0.0.0/99' is not a network")]
    [InlineData("MaxConnections", "-1", "MailHost:Endpoints:X:MaxConnections: '-1' is not a non-negative whole number")]
    [InlineData("TlsDetectionTimeout", "soon", "MailHost:Endpoints:X:TlsDetectionTimeout: 'soon' is not a positive time span")]
    [InlineData("ProxyProtocol", "true", "MailHost:Endpoints:X:TrustedProxies: ProxyProtocol is on but no trusted proxy")]
    public void Errors_name_the_key_and_the_fix(string key, string value, string expected)
    {
        var values = new List<(string, string)> { ("X:" + key, value) };
        if (key != "Url")
        {
            values.Add(("X:Url", "imap://*:143"));
        }

        var read = () => Read([.. values]);

        read.Should().Throw<MailHostConfigurationException>().Which.Message.Should().Contain(expected);
    }

    [Fact]
    public void An_implicit_scheme_with_another_TLS_mode_is_refused()
    {
        var read = () => Read(("X:Url", "imaps://*:993"), ("X:Tls", "StartTls"));

        read.Should().Throw<MailHostConfigurationException>().Which.Key.Should().Be("MailHost:Endpoints:X:Tls");
    }
}
