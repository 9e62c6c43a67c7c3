using System.Text;
using MailHost.Hosting;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.Pop3;
using MailKit.Net.Pop3;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;

namespace MailHost.IntegrationTests.Pop3;

/// <summary>POP3 over real sockets: MailKit in every TLS mode, and raw transcripts for the RFC corners.</summary>
public sealed class Pop3SessionTests
{
    internal static Task<TestMailServer<Pop3ConnectionHandler>> StartAsync(
        MailWorld world,
        MailTlsMode tls,
        bool allowPlaintext = false,
        Action<Pop3Options>? pop3 = null,
        Action<MailEndpointOptions>? endpoint = null,
        Action<MailHost.Logins.AuthenticationOptions>? auth = null)
        => TestMailServer<Pop3ConnectionHandler>.StartAsync(
            o =>
            {
                o.Protocol = MailProtocol.Pop3;
                o.Tls = tls;
                o.TlsDetectionTimeout = TimeSpan.FromSeconds(tls == MailTlsMode.Auto ? 5 : 1);
                endpoint?.Invoke(o);
            },
            services =>
            {
                world.Register(services, allowPlaintext);
                services.AddMailHostPop3();
                if (pop3 is not null)
                {
                    services.Configure(pop3);
                }

                if (auth is not null)
                {
                    services.Configure(auth);
                }
            });

    private static async Task<Pop3Client> ConnectMailKitAsync(int port, SecureSocketOptions options)
    {
        var client = new Pop3Client { ServerCertificateValidationCallback = TestCertificate.Validate, Timeout = 15_000 };
        await client.ConnectAsync("127.0.0.1", port, options);
        return client;
    }

    [Theory]
    [InlineData(MailTlsMode.None, SecureSocketOptions.None, true)]
    [InlineData(MailTlsMode.StartTls, SecureSocketOptions.StartTls, false)]
    [InlineData(MailTlsMode.Implicit, SecureSocketOptions.SslOnConnect, false)]
    [InlineData(MailTlsMode.Auto, SecureSocketOptions.SslOnConnect, false)]
    [InlineData(MailTlsMode.Auto, SecureSocketOptions.StartTls, false)]
    public async Task MailKit_logs_in_and_retrieves_byte_identical_messages(MailTlsMode mode, SecureSocketOptions options, bool allowPlaintext)
    {
        var world = new MailWorld();
        var first = await world.DeliverAsync("alice", MailWorld.Message(1));
        var second = await world.DeliverAsync("alice", MailWorld.Message(2, ".leading dot\n..two dots\n.\nend"));
        await using var server = await StartAsync(world, mode, allowPlaintext);
        using var client = await ConnectMailKitAsync(server.Port, options);

        await client.AuthenticateAsync("alice@example.com", MailWorld.AlicePassword);

        client.Count.Should().Be(2);
        (await client.GetMessageSizesAsync()).Should().Equal(first.Length, second.Length);
        using (var raw = await client.GetStreamAsync(1))
        {
            using var copy = new MemoryStream();
            await raw.CopyToAsync(copy);
            copy.ToArray().Should().Equal(second, "dot-stuffing is undone by the client byte for byte");
        }

        var uids = await client.GetMessageUidsAsync();
        uids.Should().HaveCount(2).And.OnlyHaveUniqueItems();
        uids.Should().AllSatisfy(u => u.Should().MatchRegex("^[0-9a-f]{16}$"));
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task UIDL_values_are_stable_across_sessions()
    {
        var world = new MailWorld();
        await world.DeliverAsync("alice", MailWorld.Message(1));
        await using var server = await StartAsync(world, MailTlsMode.Implicit);

        IList<string> firstUids;
        using (var client = await ConnectMailKitAsync(server.Port, SecureSocketOptions.SslOnConnect))
        {
            await client.AuthenticateAsync("alice", MailWorld.AlicePassword);
            firstUids = await client.GetMessageUidsAsync();
            await client.DisconnectAsync(true);
        }

        await WaitForClosedSessionsAsync(server, 1);

        await world.DeliverAsync("alice", MailWorld.Message(2));
        using var again = await ConnectMailKitAsync(server.Port, SecureSocketOptions.SslOnConnect);
        await again.AuthenticateAsync("alice", MailWorld.AlicePassword);
        var secondUids = await again.GetMessageUidsAsync();

        secondUids.Should().HaveCount(2);
        secondUids[0].Should().Be(firstUids[0]);
    }

    [Fact]
    public async Task Deletions_happen_only_after_QUIT_and_RSET_undoes_them()
    {
        var world = new MailWorld();
        for (var i = 1; i <= 3; i++)
        {
            await world.DeliverAsync("alice", MailWorld.Message(i));
        }

        await using var server = await StartAsync(world, MailTlsMode.None, allowPlaintext: true);

        // DELE then drop the connection: nothing is deleted.
        await using (var dropped = await LoginAsync(server))
        {
            await dropped.SendAsync("DELE 1\r\n");
            (await dropped.ReadLineAsync()).Should().Be("+OK Message 1 deleted");
            await dropped.SendAsync("STAT\r\n");
            (await dropped.ReadLineAsync()).Should().StartWith("+OK 2 ");
        }

        await WaitForClosedSessionsAsync(server, 1);

        await using (var reset = await LoginAsync(server, expectedCount: 3))
        {
            await reset.SendAsync("DELE 2\r\nRSET\r\nRETR 2\r\n");
            (await reset.ReadLineAsync()).Should().Be("+OK Message 2 deleted");
            (await reset.ReadLineAsync()).Should().StartWith("+OK 3 messages");
            (await reset.ReadLineAsync()).Should().EndWith("octets");
            await reset.SendAsync("QUIT\r\n");
        }

        await WaitForClosedSessionsAsync(server, 2);

        await using (var quit = await LoginAsync(server, expectedCount: 3))
        {
            await quit.SendAsync("DELE 1\r\nRETR 1\r\nDELE 3\r\nQUIT\r\n");
            (await quit.ReadLineAsync()).Should().Be("+OK Message 1 deleted");
            (await quit.ReadLineAsync()).Should().Be("-ERR Message is deleted");
            (await quit.ReadLineAsync()).Should().Be("+OK Message 3 deleted");
            (await quit.ReadLineAsync()).Should().Be("+OK MailHost POP3 server signing off (1 messages left)");
        }

        await WaitForClosedSessionsAsync(server, 3);

        await using var after = await LoginAsync(server, expectedCount: 1);
        await after.SendAsync("LIST\r\n");
        (await after.ReadLineAsync()).Should().StartWith("+OK 1 messages");
        (await after.ReadLineAsync()).Should().StartWith("1 ");
        (await after.ReadLineAsync()).Should().Be(".");
    }

    [Fact]
    public async Task A_second_concurrent_session_gets_IN_USE()
    {
        var world = new MailWorld();
        await using var server = await StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var first = await LoginAsync(server, expectedCount: 0);

        await using var second = await LineClient.ConnectAsync(server.EndPoint);
        (await second.ReadLineAsync()).Should().StartWith("+OK");
        await second.SendAsync("USER alice\r\nPASS " + MailWorld.AlicePassword + "\r\n");
        (await second.ReadLineAsync()).Should().StartWith("+OK");
        (await second.ReadLineAsync()).Should().Be("-ERR [IN-USE] Mailbox is locked by another POP3 session");

        await first.SendAsync("QUIT\r\n");
        (await first.ReadLineAsync()).Should().StartWith("+OK");
        await WaitForClosedSessionsAsync(server, 2);
        await using var third = await LoginAsync(server, expectedCount: 0);
    }

    [Fact]
    public async Task Mail_arriving_during_a_session_waits_for_the_next_one()
    {
        var world = new MailWorld();
        await world.DeliverAsync("alice", MailWorld.Message(1));
        await using var server = await StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using (var client = await LoginAsync(server, expectedCount: 1))
        {
            await world.DeliverAsync("alice", MailWorld.Message(2));
            await client.SendAsync("STAT\r\nQUIT\r\n");
            (await client.ReadLineAsync()).Should().StartWith("+OK 1 ");
            (await client.ReadLineAsync()).Should().StartWith("+OK");
        }

        await WaitForClosedSessionsAsync(server, 1);
        await using var next = await LoginAsync(server, expectedCount: 2);
    }

    [Fact]
    public async Task Plain_text_credentials_are_refused_without_TLS_and_CAPA_says_so()
    {
        var world = new MailWorld();
        await using var server = await StartAsync(world, MailTlsMode.StartTls);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        (await client.ReadLineAsync()).Should().Be("+OK MailHost POP3 server ready");

        await client.SendAsync("CAPA\r\n");
        var capabilities = new List<string>();
        for (var line = await client.ReadLineAsync(); line != "."; line = await client.ReadLineAsync())
        {
            capabilities.Add(line!);
        }

        capabilities.Should().Contain(["STLS", "UIDL", "TOP", "RESP-CODES", "PIPELINING", "UTF8"]).And.NotContain("USER");
        capabilities.Should().NotContain(c => c.StartsWith("SASL", StringComparison.Ordinal));
        await client.SendAsync("USER alice\r\n");
        (await client.ReadLineAsync()).Should().Be("-ERR [AUTH] Plain-text login is not allowed; use STLS first");
        await client.SendAsync("AUTH PLAIN\r\n");
        (await client.ReadLineAsync()).Should().Be("-ERR [AUTH] Authentication is not allowed without TLS; use STLS first");
    }

    [Fact]
    public async Task Commands_injected_after_STLS_are_discarded()
    {
        var world = new MailWorld();
        await using var server = await StartAsync(world, MailTlsMode.StartTls);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        (await client.ReadLineAsync()).Should().StartWith("+OK");

        // SECURITY.md A1, the EAST POP3 probe.
        await client.SendAsync("STLS\r\nCAPA\r\n");
        (await client.ReadLineAsync()).Should().Be("+OK Begin TLS negotiation");
        await client.StartTlsAsync();
        await client.SendAsync("NOOP\r\n");

        (await client.ReadLineAsync()).Should().Be("-ERR Log in first", "the injected CAPA must not have been answered");
    }

    [Fact]
    public async Task An_empty_password_is_refused_and_the_right_one_then_works_on_the_same_connection()
    {
        var world = new MailWorld();
        await using var server = await StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        (await client.ReadLineAsync()).Should().StartWith("+OK");

        await client.SendAsync("USER alice@example.com\r\nPASS \r\n");
        (await client.ReadLineAsync()).Should().StartWith("+OK");
        (await client.ReadLineAsync()).Should().Be("-ERR [AUTH] Authentication failed");
        await client.SendAsync("USER alice@example.com\r\nPASS " + MailWorld.AlicePassword + "\r\n");
        (await client.ReadLineAsync()).Should().StartWith("+OK");
        (await client.ReadLineAsync()).Should().StartWith("+OK Logged in; 0 messages");

        world.Directory.GetLoginHistory("alice").Select(r => r.Outcome).Should().Equal(MailHost.Accounts.LoginOutcome.EmptyPassword, MailHost.Accounts.LoginOutcome.Succeeded);
    }

    [Fact]
    public async Task Three_failures_close_the_connection_and_unknown_users_look_like_wrong_passwords()
    {
        var world = new MailWorld();
        await using var server = await StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        (await client.ReadLineAsync()).Should().StartWith("+OK");

        await client.SendAsync("USER nobody\r\nPASS x\r\nUSER alice\r\nPASS wrong\r\nUSER alice\r\nPASS wrong2\r\n");
        var replies = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            replies.Add((await client.ReadLineAsync())!);
        }

        replies.Should().Equal(
            "+OK Send your password",
            "-ERR [AUTH] Authentication failed",
            "+OK Send your password",
            "-ERR [AUTH] Authentication failed",
            "+OK Send your password",
            "-ERR [AUTH] Authentication failed",
            "-ERR [AUTH] Too many failed logins, closing");
        (await client.ReadToEndAsync(TimeSpan.FromSeconds(10))).Should().BeEmpty();
    }

    [Fact]
    public async Task TOP_sends_the_header_and_the_requested_body_lines_and_NUL_replacement_works()
    {
        var world = new MailWorld();
        await world.DeliverAsync("alice", MailWorld.Message(1, "line1\nline2\x00x\nline3"));
        await using var server = await StartAsync(world, MailTlsMode.None, allowPlaintext: true, o => o.ReplaceNulBytes = true);
        await using var client = await LoginAsync(server, expectedCount: 1);

        await client.SendAsync("TOP 1 2\r\n");
        var lines = new List<string>();
        for (var line = await client.ReadLineAsync(); line != "."; line = await client.ReadLineAsync())
        {
            lines.Add(line!);
        }

        lines[0].Should().Be("+OK Top of message follows");
        lines.Should().ContainInOrder("Subject: Message 1", "", "line1", "line2 x");
        lines.Should().NotContain("line3");
    }

    [Fact]
    public async Task AUTH_PLAIN_with_an_initial_response_and_AUTH_LOGIN_with_challenges_work()
    {
        var world = new MailWorld();
        await using var server = await StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using (var plain = await LineClient.ConnectAsync(server.EndPoint))
        {
            (await plain.ReadLineAsync()).Should().StartWith("+OK");
            var ir = Convert.ToBase64String(Encoding.UTF8.GetBytes("\0alice\0" + MailWorld.AlicePassword));
            await plain.SendAsync($"AUTH PLAIN {ir}\r\n");
            (await plain.ReadLineAsync()).Should().StartWith("+OK Logged in");
            await plain.SendAsync("QUIT\r\n");
            (await plain.ReadLineAsync()).Should().StartWith("+OK");
        }

        await using var login = await LineClient.ConnectAsync(server.EndPoint);
        (await login.ReadLineAsync()).Should().StartWith("+OK");
        await login.SendAsync("AUTH LOGIN\r\n");
        (await login.ReadLineAsync()).Should().Be("+ VXNlcm5hbWU6");
        await login.SendAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes("alice@example.com")) + "\r\n");
        (await login.ReadLineAsync()).Should().Be("+ UGFzc3dvcmQ6");
        await login.SendAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(MailWorld.AlicePassword)) + "\r\n");
        (await login.ReadLineAsync()).Should().StartWith("+OK Logged in");
    }

    /// <summary>The maildrop lock is released when the server's side of the connection has ended.</summary>
    private static Task WaitForClosedSessionsAsync(TestMailServer<Pop3ConnectionHandler> server, int count)
        => server.Logs.WaitForCountAsync(e => e.EventId.Id == 1001, count, TimeSpan.FromSeconds(10));

    private static async Task<LineClient> LoginAsync(TestMailServer<Pop3ConnectionHandler> server, int expectedCount = 3)
    {
        var client = await LineClient.ConnectAsync(server.EndPoint);
        (await client.ReadLineAsync()).Should().StartWith("+OK");
        await client.SendAsync("USER alice\r\nPASS " + MailWorld.AlicePassword + "\r\n");
        (await client.ReadLineAsync()).Should().StartWith("+OK");
        (await client.ReadLineAsync()).Should().StartWith($"+OK Logged in; {expectedCount} messages");
        return client;
    }

    [Fact]
    public async Task Too_many_bad_commands_close_the_connection()
    {
        var world = new MailWorld();
        await using var server = await StartAsync(world, MailTlsMode.None, pop3: o => o.MaxBadCommands = 3);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        (await client.ReadLineAsync()).Should().StartWith("+OK");

        await client.SendAsync("XYZZY\r\nSTAT\r\nFOO\r\n");

        (await client.ReadLineAsync()).Should().Be("-ERR Unknown command");
        (await client.ReadLineAsync()).Should().Be("-ERR Log in first");
        (await client.ReadLineAsync()).Should().Be("-ERR Too many bad commands, closing");
        (await client.ReadToEndAsync(TimeSpan.FromSeconds(10))).Should().BeEmpty();
    }

    [Fact]
    public async Task An_HTTP_request_is_never_answered()
    {
        var world = new MailWorld();
        await using var server = await StartAsync(world, MailTlsMode.None);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        (await client.ReadLineAsync()).Should().StartWith("+OK");

        await client.SendAsync("GET / HTTP/1.1\r\nHost: victim\r\n\r\n");

        (await client.ReadToEndAsync(TimeSpan.FromSeconds(10))).Should().BeEmpty("ALPACA: nothing of the request may be reflected");
    }

    [Fact]
    public async Task A_line_over_255_octets_gets_an_error_and_the_session_goes_on()
    {
        var world = new MailWorld();
        await using var server = await StartAsync(world, MailTlsMode.None);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        (await client.ReadLineAsync()).Should().StartWith("+OK");

        await client.SendAsync("USER " + new string('a', 300) + "\r\nCAPA\r\n");

        (await client.ReadLineAsync()).Should().Be("-ERR Line too long");
        (await client.ReadLineAsync()).Should().Be("+OK Capability list follows");
    }

    [Fact]
    public async Task An_idle_client_is_logged_out_before_authentication()
    {
        var world = new MailWorld();
        await using var server = await TestMailServer<Pop3ConnectionHandler>.StartAsync(
            o =>
            {
                o.Protocol = MailProtocol.Pop3;
                o.Tls = MailTlsMode.None;
                o.PreAuthenticationIdleTimeout = TimeSpan.FromMilliseconds(300);
            },
            services =>
            {
                world.Register(services);
                services.AddMailHostPop3();
            });
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        (await client.ReadLineAsync()).Should().StartWith("+OK");

        (await client.ReadLineAsync()).Should().Be("-ERR Autologout; idle for too long");
        (await client.ReadToEndAsync(TimeSpan.FromSeconds(10))).Should().BeEmpty();
    }

    [Fact]
    public async Task The_trace_shows_commands_but_never_the_password()
    {
        var world = new MailWorld();
        await using var server = await StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using (var client = await LoginAsync(server, expectedCount: 0))
        {
            await client.SendAsync("QUIT\r\n");
            (await client.ReadLineAsync()).Should().StartWith("+OK");
        }

        await WaitForClosedSessionsAsync(server, 1);
        var trace = server.Logs.Entries.Where(e => e.Category == "MailHost.Trace.Pop3").Select(e => e.Message).ToList();
        trace.Should().Contain(m => m.EndsWith(" C: USER alice", StringComparison.Ordinal));
        trace.Should().Contain(m => m.EndsWith(" C: PASS <redacted>", StringComparison.Ordinal));
        trace.Should().Contain(m => m.EndsWith(" S: +OK Send your password", StringComparison.Ordinal));
        trace.Should().NotContain(m => m.Contains(MailWorld.AlicePassword, StringComparison.Ordinal));
    }
}
