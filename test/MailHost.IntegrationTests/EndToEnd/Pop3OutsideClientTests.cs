using System.Text;
using MailHost.Hosting;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.Pop3;
using Microsoft.Extensions.DependencyInjection;

namespace MailHost.IntegrationTests.EndToEnd;

/// <summary>POP3 with clients that are not ours: python3 poplib, curl, openssl s_client and fetchmail.</summary>
public sealed class Pop3OutsideClientTests
{
    private static async Task<(TestMailServer<Pop3ConnectionHandler> Server, MailWorld World, byte[] Message)> StartAsync(MailTlsMode mode)
    {
        var world = new MailWorld();
        var message = await world.DeliverAsync("alice", MailWorld.Message(1, ".dot first\nplain line"));
        var server = await TestMailServer<Pop3ConnectionHandler>.StartAsync(
            o =>
            {
                o.Protocol = MailProtocol.Pop3;
                o.Tls = mode;
                o.TlsDetectionTimeout = TimeSpan.FromSeconds(5);
            },
            services =>
            {
                world.Register(services);
                services.AddMailHostPop3();
            });
        return (server, world, message);
    }

    [Theory]
    [InlineData(MailTlsMode.StartTls, false)]
    [InlineData(MailTlsMode.Auto, true)]
    public async Task Python_poplib_retrieves_the_message(MailTlsMode mode, bool implicitTls)
    {
        var (server, _, message) = await StartAsync(mode);
        await using var _ = server;
        var script = $$"""
            import poplib, ssl, sys
            ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
            if {{(implicitTls ? "True" : "False")}}:
                p = poplib.POP3_SSL('127.0.0.1', {{server.Port}}, context=ctx, timeout=20)
            else:
                p = poplib.POP3('127.0.0.1', {{server.Port}}, timeout=20)
                p.stls(context=ctx)
            p.user('alice@example.com'); p.pass_('{{MailWorld.AlicePassword}}')
            resp, lines, octets = p.retr(1)
            sys.stdout.buffer.write(b'\r\n'.join(lines) + b'\r\n')
            p.quit()
            """;

        var result = await ExternalProcess.RunAsync("python3", ["-c", script], timeout: TimeSpan.FromSeconds(60));

        result.ExitCode.Should().Be(0, result.StandardError);
        result.StandardOutput.Should().Be(Encoding.UTF8.GetString(message));
    }

    [Theory]
    [InlineData("pop3s", MailTlsMode.Implicit)]
    [InlineData("pop3", MailTlsMode.StartTls)]
    public async Task Curl_lists_and_retrieves(string scheme, MailTlsMode mode)
    {
        Assert.True(ExternalProcess.Exists("curl"), "curl is installed by .ci/run");
        var (server, _, message) = await StartAsync(mode);
        await using var _ = server;

        var result = await ExternalProcess.RunAsync(
            "curl",
            ["-s", "-S", "-k", "--ssl-reqd", "--max-time", "30", "-u", $"alice:{MailWorld.AlicePassword}", $"{scheme}://127.0.0.1:{server.Port}/1"],
            timeout: TimeSpan.FromSeconds(60));

        result.ExitCode.Should().Be(0, result.StandardError);
        result.StandardOutput.Should().Be(Encoding.UTF8.GetString(message));
    }

    [Fact]
    public async Task Openssl_starttls_pop3_gets_the_capabilities_inside_TLS()
    {
        var (server, _, _) = await StartAsync(MailTlsMode.StartTls);
        await using var _ = server;

        var result = await ExternalProcess.RunAsync(
            "openssl",
            ["s_client", "-starttls", "pop3", "-connect", $"127.0.0.1:{server.Port}", "-quiet"],
            standardInput: "CAPA\r\nQUIT\r\n",
            timeout: TimeSpan.FromSeconds(30));

        result.StandardOutput.Should().Contain("SASL PLAIN LOGIN SCRAM-SHA-256", result.StandardError).And.Contain("USER").And.NotContain("STLS");
    }

    [Fact]
    public async Task Fetchmail_downloads_and_deletes_over_STLS()
    {
        Assert.True(ExternalProcess.Exists("fetchmail"), "fetchmail is installed by .ci/run");
        var (server, world, message) = await StartAsync(MailTlsMode.StartTls);
        await using var _ = server;
        using var home = new TempDirectory();
        var output = Path.Combine(home.Path, "mbox");
        var rc = Path.Combine(home.Path, "fetchmailrc");
        await File.WriteAllTextAsync(rc, $"poll 127.0.0.1 protocol pop3 port {server.Port}\n  user \"alice\" password \"{MailWorld.AlicePassword}\" sslproto tls1.2+ no sslcertck mda \"cat >> {output}\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(rc, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var result = await ExternalProcess.RunAsync(
            "fetchmail",
            ["-f", rc, "--nodetach", "--nosyslog", "-v", "--pidfile", Path.Combine(home.Path, "pid")],
            environment: new Dictionary<string, string> { ["HOME"] = home.Path, ["FETCHMAILHOME"] = home.Path },
            timeout: TimeSpan.FromSeconds(60));

        result.ExitCode.Should().Be(0, result.StandardOutput + result.StandardError);
        var fetched = await File.ReadAllTextAsync(output);
        fetched.Should().Contain("Subject: Message 1").And.Contain(".dot first");
        var inbox = await (await world.Store.OpenAccountAsync("alice", CancellationToken.None)).Value.GetStatusAsync("INBOX", CancellationToken.None);
        inbox.Value.Messages.Should().Be(0, "fetchmail deletes what it fetched, applied at QUIT");
        message.Should().NotBeEmpty();
    }
}
