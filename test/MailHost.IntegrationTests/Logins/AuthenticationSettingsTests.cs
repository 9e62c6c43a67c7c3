using MailHost.Hosting;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.Server;
using Microsoft.Extensions.DependencyInjection;

namespace MailHost.IntegrationTests.Logins;

/// <summary>The settings of issue 17 items 5 and 11 are read from configuration and checked before the host serves.</summary>
public class AuthenticationSettingsTests
{
    [Theory]
    [InlineData("MailHost:Auth:VerificationCache:Lifetime", "-00:00:01")]
    [InlineData("MailHost:Auth:VerificationCache:MaxEntries", "0")]
    [InlineData("MailHost:Auth:Throttle:EmptyPasswordLimit", "-1")]
    [InlineData("MailHost:Auth:Throttle:EmptyPasswordWindow", "00:00:00")]
    [InlineData("MailHost:Auth:Throttle:UncheckedRecordInterval", "-00:00:01")]
    public async Task An_invalid_setting_stops_the_start_with_its_key_named(string key, string value)
    {
        using var data = new TempDirectory();
        var start = async () =>
        {
            await using var app = MailHostServer.Build(
            [
                "--contentRoot=" + data.Path,
                "--MailHost:DataDirectory=" + data.Path,
                "--MailHost:Admin:Url=",
                "--MailHost:Hostname=mail.test",
                "--MailHost:Endpoints:Imap:Url=imap://127.0.0.1:0",
                $"--{key}={value}",
            ]);
            await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        };

        (await start.Should().ThrowAsync<MailHostConfigurationException>()).Which.Key.Should().Be(key);
    }

    [Fact]
    public async Task Valid_settings_are_bound()
    {
        using var data = new TempDirectory();
        await using var app = MailHostServer.Build(
        [
            "--contentRoot=" + data.Path,
            "--MailHost:DataDirectory=" + data.Path,
            "--MailHost:Admin:Url=",
            "--MailHost:Endpoints:Imap:Url=imap://127.0.0.1:0",
            "--MailHost:Auth:VerificationCache:Lifetime=00:00:00",
            "--MailHost:Auth:Throttle:EmptyPasswordLimit=5",
            "--MailHost:Auth:Throttle:UncheckedRecordInterval=00:01:00",
        ]);
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<MailHost.Logins.AuthenticationOptions>>().Value;
        options.VerificationCache.Lifetime.Should().Be(TimeSpan.Zero);
        options.Throttle.EmptyPasswordLimit.Should().Be(5);
        options.Throttle.UncheckedRecordInterval.Should().Be(TimeSpan.FromMinutes(1));
    }
}
