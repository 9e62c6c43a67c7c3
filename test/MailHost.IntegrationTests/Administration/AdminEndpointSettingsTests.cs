using System.Net;
using MailHost.Hosting;
using MailHost.Server.Administration;
using Microsoft.Extensions.Configuration;

namespace MailHost.IntegrationTests.Administration;

/// <summary>Where the administration endpoint may listen, and HTTPS with the mail certificate elsewhere.</summary>
public sealed class AdminEndpointSettingsTests
{
    [Theory]
    [InlineData("http://*:8480")]
    [InlineData("http://0.0.0.0:8480")]
    [InlineData("http://192.0.2.10:8480")]
    public void Plain_http_beyond_loopback_stops_the_start_naming_the_key(string url)
    {
        var read = () => AdminHttpSettings.Read(Configuration(url));
        read.Should().Throw<MailHostConfigurationException>()
            .Where(e => e.Key == AdminHttpSettings.UrlKey && e.Message.Contains("https://", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("http://localhost:8480", false)]
    [InlineData("http://127.0.0.1:0", false)]
    [InlineData("http://[::1]:8480", false)]
    [InlineData("https://*:8443", true)]
    public void Loopback_http_and_https_anywhere_are_accepted(string url, bool https)
    {
        AdminHttpSettings.Read(Configuration(url))!.Https.Should().Be(https);
        AdminHttpSettings.Read(Configuration("")).Should().BeNull("an empty value turns the endpoint off");
    }

    [Fact]
    public async Task An_https_endpoint_serves_the_mail_certificate_and_a_host_only_secure_session_cookie()
    {
        await using var host = await AdminHost.StartAsync("--MailHost:Admin:Url=https://127.0.0.1:0");
        host.BaseAddress.Scheme.Should().Be("https");
        using var client = host.Client();
        (await client.GetAsync("/healthz")).StatusCode.Should().Be(HttpStatusCode.OK);
        var signIn = await AdminHost.SignInAsync(client, "root", "root-pw");
        signIn.StatusCode.Should().Be(HttpStatusCode.Redirect);
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("__Host-mailhost-admin=", StringComparison.Ordinal));
        cookie.Should().Contain("secure").And.Contain("httponly").And.Contain("samesite=strict").And.Contain("path=/");
    }

    private static IConfiguration Configuration(string url) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [AdminHttpSettings.UrlKey] = url }).Build();
}
