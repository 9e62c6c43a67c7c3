using MailHost.Accounts;
using MailHost.Hosting;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MailHost.IntegrationTests.Host;

/// <summary>
/// <c>AllowPlaintextAuthentication</c> set on one endpoint (say, the one a TLS-terminating proxy forwards to) opens
/// only that endpoint; the others keep the global setting, which refuses credentials without TLS.
/// </summary>
public sealed class PlaintextAuthenticationPerEndpointTests
{
    [Fact]
    public async Task Only_the_endpoint_that_allows_plain_text_takes_credentials_without_TLS()
    {
        using var data = new TempDirectory();
        var logs = new CapturingLoggerProvider();
        string[] args =
        [
            "--contentRoot=" + data.Path,
            "--MailHost:DataDirectory=" + data.Path,
            "--MailHost:Admin:Url=",
            "--MailHost:Hostname=mail.test",
            "--MailHost:Auth:AllowPlaintextAuthentication=false",
            "--MailHost:Endpoints:Proxied:Url=imap://127.0.0.1:0",
            "--MailHost:Endpoints:Proxied:Tls=None",
            "--MailHost:Endpoints:Proxied:AllowPlaintextAuthentication=true",
            "--MailHost:Endpoints:Direct:Url=imap://127.0.0.1:0",
            "--MailHost:Endpoints:ProxiedSubmission:Url=submission://127.0.0.1:0",
            "--MailHost:Endpoints:ProxiedSubmission:Tls=None",
            "--MailHost:Endpoints:ProxiedSubmission:AllowPlaintextAuthentication=true",
            "--MailHost:Endpoints:DirectSubmission:Url=submission://127.0.0.1:0",
            "--MailHost:Endpoints:ProxiedPop3:Url=pop3://127.0.0.1:0",
            "--MailHost:Endpoints:ProxiedPop3:Tls=None",
            "--MailHost:Endpoints:ProxiedPop3:AllowPlaintextAuthentication=true",
            "--MailHost:Endpoints:DirectPop3:Url=pop3://127.0.0.1:0",
        ];
        await using var app = MailHostServer.Build(args, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(logs);
        });
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            var admin = app.Services.GetRequiredService<IAccountAdministration>();
            (await admin.AddDomainAsync("example.com", CancellationToken.None)).Succeeded.Should().BeTrue();
            (await admin.AddAccountAsync("carol", ["carol@example.com"], PasswordRecord.Create("carol-pw", PasswordRecord.MinimumIterations), CancellationToken.None))
                .Succeeded.Should().BeTrue();
            var listeners = app.Services.GetRequiredService<MailListenerRegistry>().Listeners;
            System.Net.IPEndPoint EndPointOf(string name) => listeners.Single(l => l.Options.Name == name).EndPoint!;

            await using (var proxied = await LineClient.ConnectAsync(EndPointOf("Proxied")))
            {
                var greeting = await proxied.ReadLineAsync();
                greeting.Should().NotContain("LOGINDISABLED").And.Contain("AUTH=PLAIN");
                await proxied.SendAsync("a LOGIN carol carol-pw\r\n");
                (await proxied.ReadLineAsync()).Should().StartWith("a OK ");
            }

            await using (var direct = await LineClient.ConnectAsync(EndPointOf("Direct")))
            {
                var greeting = await direct.ReadLineAsync();
                greeting.Should().Contain("STARTTLS LOGINDISABLED").And.NotContain("AUTH=");
                await direct.SendAsync("a LOGIN carol carol-pw\r\n");
                (await direct.ReadLineAsync()).Should().StartWith("a NO [PRIVACYREQUIRED]");
            }

            await using (var proxied = await LineClient.ConnectAsync(EndPointOf("ProxiedSubmission")))
            {
                (await proxied.ReadLineAsync()).Should().StartWith("220 ");
                (await EhloAsync(proxied)).Should().Contain(l => l.EndsWith("AUTH PLAIN LOGIN SCRAM-SHA-256", StringComparison.Ordinal));
                await proxied.SendAsync("AUTH PLAIN " + Convert.ToBase64String("\0carol\0carol-pw"u8.ToArray()) + "\r\n");
                (await proxied.ReadLineAsync()).Should().StartWith("235 ");
            }

            await using (var direct = await LineClient.ConnectAsync(EndPointOf("DirectSubmission")))
            {
                (await direct.ReadLineAsync()).Should().StartWith("220 ");
                (await EhloAsync(direct)).Should().NotContain(l => l.Contains("AUTH", StringComparison.Ordinal));
                await direct.SendAsync("AUTH PLAIN " + Convert.ToBase64String("\0carol\0carol-pw"u8.ToArray()) + "\r\n");
                (await direct.ReadLineAsync()).Should().StartWith("530 5.7.0");
            }

            await using (var proxied = await LineClient.ConnectAsync(EndPointOf("ProxiedPop3")))
            {
                (await proxied.ReadLineAsync()).Should().StartWith("+OK");
                await proxied.SendAsync("USER carol\r\nPASS carol-pw\r\n");
                (await proxied.ReadLineAsync()).Should().StartWith("+OK");
                (await proxied.ReadLineAsync()).Should().StartWith("+OK");
            }

            await using (var direct = await LineClient.ConnectAsync(EndPointOf("DirectPop3")))
            {
                (await direct.ReadLineAsync()).Should().StartWith("+OK");
                await direct.SendAsync("USER carol\r\n");
                (await direct.ReadLineAsync()).Should().StartWith("-ERR");
            }
        }
        finally
        {
            await app.StopAsync();
        }
    }

    private static async Task<List<string>> EhloAsync(LineClient client)
    {
        await client.SendAsync("EHLO client.example\r\n");
        var lines = new List<string>();
        string? line;
        do
        {
            line = await client.ReadLineAsync();
            line.Should().NotBeNull().And.StartWith("250");
            lines.Add(line);
        }
        while (!line.StartsWith("250 ", StringComparison.Ordinal));
        return lines;
    }
}
