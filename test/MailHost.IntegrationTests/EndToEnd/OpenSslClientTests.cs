using MailHost.Hosting;
using MailHost.IntegrationTests.Infrastructure;

namespace MailHost.IntegrationTests.EndToEnd;

/// <summary>An outside TLS client (openssl s_client) against the Auto port: TLS straight away on the plain-text port.</summary>
public sealed class OpenSslClientTests
{
    [Fact]
    public async Task Openssl_opening_TLS_at_once_on_an_Auto_port_gets_the_greeting_inside_TLS()
    {
        Assert.True(ExternalProcess.Exists("openssl"), "openssl is installed by .ci/run");
        await using var server = await TestMailServer<LineProtocolHandler>.StartAsync(o =>
        {
            o.Tls = MailTlsMode.Auto;
            o.TlsDetectionTimeout = TimeSpan.FromSeconds(10);
        });

        var result = await ExternalProcess.RunAsync(
            "openssl",
            ["s_client", "-connect", $"127.0.0.1:{server.Port}", "-servername", "localhost", "-quiet", "-alpn", "imap"],
            standardInput: "INFO\r\nQUIT\r\n",
            timeout: TimeSpan.FromSeconds(30));

        result.StandardOutput.Should().Contain("* OK test ready tls=True", result.StandardError);
        result.StandardOutput.Should().Contain("INFO remote=127.0.0.1:").And.Contain("BYE");
    }
}
