using System.Net;
using MailHost.Hosting;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.Server;
using MailHost.Server.Onboarding;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MailHost.IntegrationTests.Onboarding;

/// <summary>The onboarding listener opens only when configured, beside the mail listeners, and HTTPS uses the mail certificate.</summary>
public sealed class OnboardingListenerTests
{
    [Fact]
    public async Task Without_configuration_no_HTTP_listener_opens()
    {
        using var data = new TempDirectory();
        await using var app = MailHostServer.Build(
            ["--contentRoot=" + data.Path, "--MailHost:DataDirectory=" + data.Path, "--MailHost:Endpoints:Imaps:Url=imaps://127.0.0.1:0"],
            builder => builder.Logging.ClearProviders());
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            var onboarding = app.Services.GetRequiredService<OnboardingListeners>();
            onboarding.HttpEndPoint.Should().BeNull();
            onboarding.HttpsEndPoint.Should().BeNull();
            app.Services.GetRequiredService<MailListenerRegistry>().Listeners.Should().ContainSingle();
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task An_HTTP_endpoint_alone_does_not_count_as_a_mail_endpoint()
    {
        using var data = new TempDirectory();

        var exit = await MailHostServer.RunAsync(
        [
            "--contentRoot=" + data.Path,
            "--MailHost:DataDirectory=" + data.Path,
            "--MailHost:Admin:Url=",
            "--MailHost:Endpoints:Imap:Url=imap://127.0.0.1:0",
            "--MailHost:Endpoints:Imap:Enabled=false",
            "--MailHost:Http:Url=http://127.0.0.1:0",
        ]).WaitAsync(TimeSpan.FromSeconds(60));

        exit.Should().Be(5, "the host still refuses to run without a mail endpoint");
    }

    [Theory]
    [InlineData("--MailHost:Http:Url=https://127.0.0.1:0", "MailHost:Http:Url:")]
    [InlineData("--MailHost:Http:Url=http://mail.example.com:80", "MailHost:Http:Url:")]
    [InlineData("--MailHost:MtaSts:Mode=strict", "MailHost:MtaSts:Mode:")]
    [InlineData("--MailHost:MtaSts:MaxAgeSeconds=99999999", "MailHost:MtaSts:MaxAgeSeconds:")]
    public void A_bad_onboarding_setting_stops_the_build_with_its_key(string setting, string expected)
    {
        using var data = new TempDirectory();

        var build = () => MailHostServer.Build(
            ["--contentRoot=" + data.Path, "--MailHost:DataDirectory=" + data.Path, "--MailHost:Endpoints:Imaps:Url=imaps://127.0.0.1:0", setting],
            builder => builder.Logging.ClearProviders());

        build.Should().Throw<MailHostConfigurationException>().Which.Message.Should().StartWith(expected);
    }

    [Fact]
    public async Task HTTPS_presents_the_mail_certificate_and_serves_the_same_routes()
    {
        await using var host = await OnboardingHost.StartAsync(https: true);
        using var http = host.CreateHttpClient(host.HttpsBase);

        using var response = await http.GetAsync(new Uri("/mail/config-v1.1.xml?emailaddress=alice%40example.com", UriKind.Relative));

        response.StatusCode.Should().Be(HttpStatusCode.OK, "the client trusts exactly the mail endpoints' certificate");
        host.Services.GetRequiredService<OnboardingListeners>().HttpsEndPoint!.Port.Should().NotBe(0);
    }
}
