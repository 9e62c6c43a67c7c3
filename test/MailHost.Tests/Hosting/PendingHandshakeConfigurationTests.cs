using MailHost.Hosting;
using Microsoft.Extensions.Configuration;

namespace MailHost.Tests.Hosting;

/// <summary>The per-client handshake limit and the ClientHello deadline are read per endpoint and checked at start.</summary>
public sealed class PendingHandshakeConfigurationTests
{
    private static MailEndpointOptions Read(params (string Key, string Value)[] values)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>("MailHost:Endpoints:Imap:" + v.Key, v.Value)))
            .Build();
        return MailEndpointConfigurationReader.Read(configuration.GetSection("MailHost:Endpoints")).Single().Options;
    }

    [Fact]
    public void The_defaults_count_handshakes_per_client_and_cut_a_partial_ClientHello_early()
    {
        var options = Read(("Url", "imap://*:143"));

        options.MaxPendingTlsHandshakes.Should().Be(200);
        options.MaxPendingTlsHandshakesPerAddress.Should().Be(10);
        options.TlsClientHelloTimeout.Should().Be(TimeSpan.FromSeconds(5));
        options.TlsClientHelloTimeout.Should().BeLessThan(options.TlsHandshakeTimeout);
    }

    [Fact]
    public void Both_settings_are_read()
    {
        var options = Read(("Url", "imap://*:143"), ("MaxPendingTlsHandshakesPerAddress", "3"), ("TlsClientHelloTimeout", "00:00:02.5"));

        options.MaxPendingTlsHandshakesPerAddress.Should().Be(3);
        options.TlsClientHelloTimeout.Should().Be(TimeSpan.FromSeconds(2.5));
    }

    [Theory]
    [InlineData("MaxPendingTlsHandshakesPerAddress", "-1")]
    [InlineData("TlsClientHelloTimeout", "0")]
    [InlineData("TlsClientHelloTimeout", "soon")]
    public void A_bad_value_is_refused_by_its_key(string key, string value)
    {
        var read = () => Read(("Url", "imap://*:143"), (key, value));

        read.Should().Throw<MailHostConfigurationException>().Which.Key.Should().Be("MailHost:Endpoints:Imap:" + key);
    }
}
