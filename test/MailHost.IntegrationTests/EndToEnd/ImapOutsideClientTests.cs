using System.Text;
using MailHost.Hosting;
using MailHost.Imap;
using MailHost.IntegrationTests.Imap;
using MailHost.IntegrationTests.Infrastructure;

namespace MailHost.IntegrationTests.EndToEnd;

/// <summary>IMAP with clients that are not ours: curl, python3 imaplib and openssl s_client.</summary>
public sealed class ImapOutsideClientTests
{
    private static async Task<(TestMailServer<ImapConnectionHandler> Server, MailWorld World, byte[] Message)> StartAsync(MailTlsMode mode, bool plainClient = false)
    {
        var world = new MailWorld();
        var message = await world.DeliverAsync("alice", MailWorld.Message(1, "Body of the first"));

        // A plain-text client pays the whole detection window on an Auto port; keep it short when no TLS client comes.
        var server = await ImapTestServer.StartAsync(world, mode, endpoint: plainClient ? o => o.TlsDetectionTimeout = TimeSpan.FromMilliseconds(300) : null);
        return (server, world, message);
    }

    private static Task<ProcessResult> CurlAsync(params string[] arguments)
        => ExternalProcess.RunAsync(
            "curl",
            ["-s", "-S", "-k", "--ssl-reqd", "--max-time", "30", "-u", $"alice:{MailWorld.AlicePassword}", .. arguments],
            timeout: TimeSpan.FromSeconds(60));

    [Theory]
    [InlineData("imap", MailTlsMode.StartTls)]
    [InlineData("imap", MailTlsMode.Auto)]
    [InlineData("imaps", MailTlsMode.Auto)]
    public async Task Curl_lists_fetches_appends_and_searches(string scheme, MailTlsMode mode)
    {
        Assert.True(ExternalProcess.Exists("curl"), "curl is installed by .ci/run");
        var (server, _, message) = await StartAsync(mode, plainClient: scheme == "imap");
        await using var _ = server;
        var root = $"{scheme}://127.0.0.1:{server.Port}";

        var list = await CurlAsync(root + "/");
        list.ExitCode.Should().Be(0, list.StandardError);
        list.StandardOutput.Should().Contain("* LIST (\\HasNoChildren) \"/\" INBOX").And.Contain("\\Sent) \"/\" Sent");

        var fetch = await CurlAsync(root + "/INBOX;UID=1");
        fetch.ExitCode.Should().Be(0, fetch.StandardError);
        fetch.StandardOutput.Should().Be(Encoding.UTF8.GetString(message));

        using var directory = new TempDirectory();
        var file = Path.Combine(directory.Path, "new.eml");
        await File.WriteAllTextAsync(file, "From: carol@example.com\r\nSubject: Uploaded by curl\r\n\r\nHi\r\n");
        var append = await CurlAsync("-T", file, root + "/INBOX");
        append.ExitCode.Should().Be(0, append.StandardError);

        var search = await CurlAsync(root + "/INBOX?SUBJECT%20curl");
        search.ExitCode.Should().Be(0, search.StandardError);
        search.StandardOutput.Trim().Should().Be("* SEARCH 2");
    }

    [Fact]
    public async Task Python_imaplib_logs_in_selects_and_fetches_over_TLS_on_the_Auto_port()
    {
        var (server, _, message) = await StartAsync(MailTlsMode.Auto);
        await using var _ = server;
        var script = $$"""
            import imaplib, ssl, sys
            ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
            m = imaplib.IMAP4_SSL('127.0.0.1', {{server.Port}}, ssl_context=ctx, timeout=20)
            m.login('alice@example.com', '{{MailWorld.AlicePassword}}')
            typ, data = m.select('INBOX')
            assert typ == 'OK' and data[0] == b'1', data
            typ, data = m.uid('FETCH', '1', '(BODY.PEEK[])')
            sys.stdout.buffer.write(data[0][1])
            m.logout()
            """;

        var result = await ExternalProcess.RunAsync("python3", ["-c", script], timeout: TimeSpan.FromSeconds(60));

        result.ExitCode.Should().Be(0, result.StandardError);
        result.StandardOutput.Should().Be(Encoding.UTF8.GetString(message));
    }

    [Fact]
    public async Task Python_imaplib_AUTHENTICATE_LOGIN_with_an_empty_first_password_then_the_right_one()
    {
        var (server, world, _) = await StartAsync(MailTlsMode.StartTls);
        await using var _ = server;
        var script = $$"""
            import imaplib, ssl
            ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
            m = imaplib.IMAP4('127.0.0.1', {{server.Port}}, timeout=20)
            m.starttls(ssl_context=ctx)
            def login(password):
                def answer(challenge):
                    return b'alice' if challenge == b'Username:' else password
                return answer
            try:
                m.authenticate('LOGIN', login(b''))
                raise SystemExit('the empty password was accepted')
            except imaplib.IMAP4.error as e:
                print('refused:', e)
            typ, data = m.authenticate('LOGIN', login(b'{{MailWorld.AlicePassword}}'))
            print(typ)
            m.logout()
            """;

        var result = await ExternalProcess.RunAsync("python3", ["-c", script], timeout: TimeSpan.FromSeconds(60));

        result.ExitCode.Should().Be(0, result.StandardError);
        result.StandardOutput.Should().Contain("refused:").And.Contain("AUTHENTICATIONFAILED").And.EndWith("OK\n");
        world.Directory.GetLoginHistory("alice").Should().HaveCount(2);
    }

    [Fact]
    public async Task Openssl_starttls_imap_gets_the_capabilities_inside_TLS()
    {
        var (server, _, _) = await StartAsync(MailTlsMode.StartTls);
        await using var _ = server;

        var result = await ExternalProcess.RunAsync(
            "openssl",
            ["s_client", "-starttls", "imap", "-connect", $"127.0.0.1:{server.Port}", "-quiet"],
            standardInput: $"a CAPABILITY\r\nb LOGIN alice {MailWorld.AlicePassword}\r\nc LOGOUT\r\n",
            timeout: TimeSpan.FromSeconds(30));

        result.StandardOutput.Should().Contain("AUTH=PLAIN", result.StandardError).And.Contain("b OK [CAPABILITY").And.Contain("c OK LOGOUT completed");
        result.StandardOutput.Split('\n').Single(l => l.StartsWith("* CAPABILITY", StringComparison.Ordinal)).Should().NotContain("STARTTLS").And.NotContain("LOGINDISABLED");
    }
}
