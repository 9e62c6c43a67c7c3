using MailHost.Hosting;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.Logins;
using MailHost.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MailHost.IntegrationTests.Logins;

/// <summary><c>MailHost:Auth:OAuth</c> is read from configuration and checked before the host serves.</summary>
public class OAuthSettingsTests
{
    private static string[] Arguments(string data, params string[] extra) =>
    [
        "--contentRoot=" + data,
        "--MailHost:DataDirectory=" + data,
        "--MailHost:Admin:Url=",
        "--MailHost:Hostname=mail.test",
        "--MailHost:Endpoints:Imap:Url=imap://127.0.0.1:0",
        "--MailHost:Auth:OAuth:Issuers:0:Issuer=https://login.example.com/realms/staff",
        "--MailHost:Auth:OAuth:Issuers:0:Audiences:0=mail.example.com",
        .. extra,
    ];

    [Fact]
    public void Issuers_and_their_settings_are_bound()
    {
        using var data = new TempDirectory();
        using var app = MailHostServer.Build(Arguments(
            data.Path,
            "--MailHost:Auth:OAuth:Issuers:0:Audiences:1=api://mail",
            "--MailHost:Auth:OAuth:Issuers:0:RequiredScope=mail",
            "--MailHost:Auth:OAuth:Issuers:0:UserClaim=preferred_username",
            "--MailHost:Auth:OAuth:Issuers:1:Issuer=https://sts.example.net/tenant/v2.0",
            "--MailHost:Auth:OAuth:Issuers:1:Audiences:0=mail",
            "--MailHost:Auth:OAuth:Issuers:1:MetadataAddress=https://sts.example.net/tenant/v2.0/.well-known/openid-configuration?appid=1",
            "--MailHost:Auth:OAuth:ClockSkew=00:00:30",
            "--MailHost:Auth:OAuth:KeyRefreshInterval=00:10:00"));
        var oauth = app.Services.GetRequiredService<IOptions<AuthenticationOptions>>().Value.OAuth;
        oauth.ClockSkew.Should().Be(TimeSpan.FromSeconds(30));
        oauth.KeyRefreshInterval.Should().Be(TimeSpan.FromMinutes(10));
        oauth.Issuers.Should().HaveCount(2);
        oauth.Issuers[0].Audiences.Should().Equal("mail.example.com", "api://mail");
        oauth.Issuers[0].RequiredScope.Should().Be("mail");
        oauth.Issuers[0].UserClaim.Should().Be("preferred_username");
        oauth.Issuers[0].RequireHttpsMetadata.Should().BeTrue();
        oauth.Issuers[1].UserClaim.Should().Be("email");
        oauth.Issuers[1].MetadataAddress.Should().EndWith("?appid=1");

        // With an issuer and no mechanism list of the operator's, the token mechanisms are offered inside TLS.
        var sasl = app.Services.GetRequiredService<SaslAuthenticator>();
        sasl.GetMechanisms(isTls: true).Should().Equal("PLAIN", "LOGIN", "SCRAM-SHA-256", "OAUTHBEARER", "XOAUTH2");
    }

    [Fact]
    public void An_operators_mechanism_list_without_them_keeps_them_off()
    {
        using var data = new TempDirectory();
        using var app = MailHostServer.Build(Arguments(data.Path, "--MailHost:Auth:Mechanisms:0=PLAIN", "--MailHost:Auth:Mechanisms:1=SCRAM-SHA-256"));
        app.Services.GetRequiredService<SaslAuthenticator>().GetMechanisms(isTls: true).Should().Equal("PLAIN", "SCRAM-SHA-256");
    }

    [Theory]
    [InlineData("MailHost:Auth:OAuth:Issuers:0:UserClaim", "sub")]
    [InlineData("MailHost:Auth:OAuth:Issuers:0:RequireHttpsMetadata", "false")]
    [InlineData("MailHost:Auth:OAuth:ClockSkew", "00:30:00")]
    [InlineData("MailHost:Auth:OAuth:KeyRefreshInterval", "00:00:00")]
    public async Task An_invalid_setting_stops_the_start_with_its_key_named(string key, string value)
    {
        using var data = new TempDirectory();
        var start = async () =>
        {
            await using var app = MailHostServer.Build(Arguments(data.Path, $"--{key}={value}"));
            await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        };

        (await start.Should().ThrowAsync<MailHostConfigurationException>()).Which.Key.Should().Be(key);
    }
}
