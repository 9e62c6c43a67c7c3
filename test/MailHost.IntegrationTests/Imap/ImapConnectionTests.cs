using System.Text;
using MailHost.Hosting;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.Logins;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MailHost.TestSupport;

namespace MailHost.IntegrationTests.Imap;

/// <summary>IMAP connection, TLS and login over real sockets: MailKit in every TLS mode, raw transcripts for the RFC corners.</summary>
public abstract class ImapConnectionTests(TestStoreKind kind) : MailWorldTests(kind)
{
    [StoreTheory]
    [InlineData(MailTlsMode.None, SecureSocketOptions.None, true)]
    [InlineData(MailTlsMode.StartTls, SecureSocketOptions.StartTls, false)]
    [InlineData(MailTlsMode.Implicit, SecureSocketOptions.SslOnConnect, false)]
    [InlineData(MailTlsMode.Auto, SecureSocketOptions.SslOnConnect, false)]
    [InlineData(MailTlsMode.Auto, SecureSocketOptions.StartTls, false)]
    public async Task MailKit_logs_in_opens_INBOX_and_reads_a_message(MailTlsMode mode, SecureSocketOptions options, bool allowPlaintext)
    {
        var world = await NewWorldAsync();
        var stored = await world.DeliverAsync("alice", MailWorld.Message(1, "First body"));
        // A client that starts in plain text pays the whole detection window on an Auto port: keep it short for it.
        await using var server = await ImapTestServer.StartAsync(
            world, mode, allowPlaintext, endpoint: options == SecureSocketOptions.StartTls && mode == MailTlsMode.Auto ? o => o.TlsDetectionTimeout = TimeSpan.FromMilliseconds(300) : null);
        using var client = await ImapTestServer.ConnectMailKitAsync(server.Port, options);

        await client.AuthenticateAsync("alice@example.com", MailWorld.AlicePassword);

        client.Capabilities.Should().HaveFlag(ImapCapabilities.IMAP4rev1).And.HaveFlag(ImapCapabilities.Idle).And.HaveFlag(ImapCapabilities.UidPlus);
        var inbox = client.Inbox;
        await inbox.OpenAsync(FolderAccess.ReadWrite);
        inbox.Count.Should().Be(1);
        var message = await inbox.GetMessageAsync(0);
        message.Subject.Should().Be("Message 1");
        message.TextBody.Should().Contain("First body");
        using var raw = await inbox.GetStreamAsync(0, "");
        using var copy = new MemoryStream();
        await raw.CopyToAsync(copy);
        copy.ToArray().Should().Equal(stored);
        await client.DisconnectAsync(true);
    }

    [StoreFact]
    public async Task Capabilities_follow_TLS_and_login_state()
    {
        var world = await NewWorldAsync();
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.StartTls);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);

        var greeting = await client.ReadLineAsync();
        greeting.Should().Contain("STARTTLS").And.Contain("LOGINDISABLED").And.NotContain("AUTH=");

        var plain = await client.CommandAsync("a", "CAPABILITY");
        plain[0].Should().StartWith("* CAPABILITY IMAP4rev1 IMAP4rev2 STARTTLS LOGINDISABLED").And.NotContain("AUTH=");
        (await client.CommandAsync("b", "LOGIN alice " + MailWorld.AlicePassword)).Should().Equal(
            "b NO [PRIVACYREQUIRED] Plain-text login is not allowed; use STARTTLS first");
        (await client.CommandAsync("c", "AUTHENTICATE PLAIN")).Should().Equal(
            "c NO [PRIVACYREQUIRED] Authentication is not allowed without TLS; use STARTTLS first");

        (await client.CommandAsync("d", "STARTTLS")).Should().Equal("d OK Begin TLS negotiation now");
        await client.StartTlsAsync();
        var secure = await client.CommandAsync("e", "CAPABILITY");
        secure[0].Should().Contain("AUTH=PLAIN").And.Contain("SASL-IR").And.NotContain("STARTTLS").And.NotContain("LOGINDISABLED");
        (await client.CommandAsync("f", "STARTTLS")).Should().Equal("f BAD TLS is already active");

        var login = await client.CommandAsync("g", "LOGIN alice " + MailWorld.AlicePassword);
        login.Should().ContainSingle().Which.Should().StartWith("g OK [CAPABILITY IMAP4rev1 IMAP4rev2").And.NotContain("AUTH=").And.EndWith("] Logged in");
    }

    [StoreTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task STARTTLS_discards_commands_sent_with_it(bool splitWrite)
    {
        // SECURITY A1 / T01: nothing sent before the handshake runs after it.
        var world = await NewWorldAsync();
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.StartTls);

        // A second segment may reach the server only after it has discarded its buffer and begun the handshake: it is
        // then read as the start of TLS and the handshake fails, which is as safe. A few attempts let one land before
        // the reply; a server that ran XYZ would fail every attempt, its answer standing where TLS should begin.
        for (var attempt = 1; ; attempt++)
        {
            await using var client = await LineClient.ConnectAsync(server.EndPoint);
            await client.ReadLineAsync();
            if (splitWrite)
            {
                await client.SendAsync("a STARTTLS\r\n");
                await client.SendAsync("XYZ NOOP\r\n");
            }
            else
            {
                await client.SendAsync("a STARTTLS\r\nXYZ NOOP\r\n");
            }

            (await client.ReadLineAsync()).Should().Be("a OK Begin TLS negotiation now");
            try
            {
                await client.StartTlsAsync();
            }
            catch (Exception e) when (splitWrite && attempt < 5 && e is System.Security.Authentication.AuthenticationException or IOException)
            {
                continue;
            }

            (await client.CommandAsync("c", "NOOP")).Should().Equal("c OK NOOP completed");
            return;
        }
    }

    [StoreFact]
    public async Task TLS_first_on_the_Auto_port_then_LOGIN_inside_TLS()
    {
        var world = await NewWorldAsync();
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.Auto);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        await client.StartTlsAsync();

        var greeting = await client.ReadLineAsync();
        greeting.Should().StartWith("* OK [CAPABILITY").And.Contain("AUTH=PLAIN").And.NotContain("STARTTLS").And.NotContain("LOGINDISABLED");
        (await client.CommandAsync("a", "LOGIN alice " + MailWorld.AlicePassword)).Single().Should().StartWith("a OK [CAPABILITY");
    }

    [StoreFact]
    public async Task AUTHENTICATE_LOGIN_with_an_empty_first_password_is_refused_then_the_right_one_is_accepted()
    {
        var world = await NewWorldAsync();
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.Auto);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        await client.StartTlsAsync();
        await client.ReadLineAsync();
        static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

        await client.SendAsync("a AUTHENTICATE LOGIN\r\n");
        (await client.ReadLineAsync()).Should().Be("+ " + B64("Username:"));
        await client.SendAsync(B64("alice") + "\r\n");
        (await client.ReadLineAsync()).Should().Be("+ " + B64("Password:"));
        await client.SendAsync("\r\n");
        (await client.ReadLineAsync()).Should().Be("a NO [AUTHENTICATIONFAILED] Authentication failed: empty password");

        await client.SendAsync("b AUTHENTICATE LOGIN " + B64("alice") + "\r\n");
        (await client.ReadLineAsync()).Should().Be("+ " + B64("Password:"));
        await client.SendAsync(B64(MailWorld.AlicePassword) + "\r\n");
        (await client.ReadLineAsync()).Should().StartWith("b OK [CAPABILITY");
    }

    [StoreFact]
    public async Task AUTHENTICATE_PLAIN_with_SASL_IR_and_a_cancelled_exchange()
    {
        var world = await NewWorldAsync();
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.Implicit);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        await client.StartTlsAsync();
        await client.ReadLineAsync();

        await client.SendAsync("a AUTHENTICATE PLAIN\r\n");
        (await client.ReadLineAsync()).Should().Be("+ ");
        await client.SendAsync("*\r\n");
        (await client.ReadLineAsync()).Should().Be("a BAD Authentication cancelled");

        var ir = Convert.ToBase64String(Encoding.UTF8.GetBytes("\0alice\0" + MailWorld.AlicePassword));
        (await client.CommandAsync("b", "AUTHENTICATE PLAIN " + ir)).Single().Should().StartWith("b OK [CAPABILITY");
    }

    [StoreTheory]
    [InlineData(LoginIdentityMode.AccountNameOrEmailAddress, "alice", true)]
    [InlineData(LoginIdentityMode.AccountNameOrEmailAddress, "alice@example.com", true)]
    [InlineData(LoginIdentityMode.AccountName, "alice", true)]
    [InlineData(LoginIdentityMode.AccountName, "alice@example.com", false)]
    [InlineData(LoginIdentityMode.EmailAddress, "alice@example.com", true)]
    [InlineData(LoginIdentityMode.EmailAddress, "alice", false)]
    public async Task Login_names_follow_the_LoginIdentity_mode(LoginIdentityMode mode, string login, bool accepted)
    {
        var world = await NewWorldAsync();
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.Implicit, auth: o => o.LoginIdentity = mode);
        using var client = await ImapTestServer.ConnectMailKitAsync(server.Port, SecureSocketOptions.SslOnConnect);

        var attempt = () => client.AuthenticateAsync(login, MailWorld.AlicePassword);
        if (accepted)
        {
            await attempt();
            client.IsAuthenticated.Should().BeTrue();
        }
        else
        {
            // One mechanism only: MailKit otherwise tries each in turn and the third failure closes the connection.
            client.AuthenticationMechanisms.RemoveWhere(m => m != "PLAIN");
            await attempt.Should().ThrowAsync<AuthenticationException>();
            client.IsConnected.Should().BeTrue("a refused login leaves the connection open");
        }
    }

    [StoreFact]
    public async Task ID_names_the_client_in_the_login_record_and_the_log_scope()
    {
        var world = await NewWorldAsync();
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        await client.ReadLineAsync();

        var id = await client.CommandAsync("a", "ID (\"name\" \"Thunderbird\" \"version\" \"128.0\")");
        id.Should().Equal("* ID (\"name\" \"MailHost\" \"vendor\" \"MailHost\")", "a OK ID completed");
        (await client.CommandAsync("b", "LOGIN alice " + MailWorld.AlicePassword)).Single().Should().StartWith("b OK");

        world.Directory.GetLoginHistory("alice").Should().ContainSingle().Which.ClientName.Should().Be("Thunderbird");
        server.Logs.Entries.Should().Contain(e => e.Message.StartsWith("IMAP login as alice", StringComparison.Ordinal)
            && e.Scope.Any(kv => kv.Key == "ClientName" && Equals(kv.Value, "Thunderbird")));
    }

    [StoreFact]
    public async Task A_literal_over_the_limit_is_refused_before_any_continuation()
    {
        // SECURITY C2 / T10.
        var world = await NewWorldAsync();
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        await client.ReadLineAsync();

        await client.SendAsync("a LOGIN {100000}\r\n");
        (await client.ReadLineAsync()).Should().Be("a BAD [TOOBIG] Literal too big");
        await client.SendAsync("b LOGIN {5}\r\n");
        (await client.ReadLineAsync()).Should().Be("+ Ready for literal data");
        await client.SendAsync("alice {8}\r\n");
        (await client.ReadLineAsync()).Should().Be("+ Ready for literal data");
        await client.SendAsync(MailWorld.AlicePassword + "\r\n");
        (await client.ReadLineAsync()).Should().StartWith("b OK [CAPABILITY");
    }

    [StoreFact]
    public async Task A_refused_LITERAL_plus_APPEND_is_read_and_dropped_not_run()
    {
        // SECURITY C3 / T11.
        var world = await NewWorldAsync();
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var client = await ImapTestServer.LoginAsync(server);

        // The literal is exactly "b DELETE INBOX\r\nxx\r\n"; the CRLF after it ends the APPEND.
        await client.SendAsync("a APPEND NoSuchBox {20+}\r\nb DELETE INBOX\r\nxx\r\n\r\nc NOOP\r\n");
        (await client.ReadLineAsync()).Should().StartWith("a NO [TRYCREATE]");
        (await client.ReadLineAsync()).Should().Be("c OK NOOP completed");
        (await client.CommandAsync("d", "STATUS INBOX (MESSAGES)")).Should().Equal("* STATUS INBOX (MESSAGES 0)", "d OK STATUS completed");
    }

    [StoreFact]
    public async Task Unknown_commands_before_login_close_the_connection()
    {
        var world = await NewWorldAsync();
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        await client.ReadLineAsync();

        await client.SendAsync("a FOO\r\nb BAR\r\nc SELECT INBOX\r\nd NOOP\r\n");
        var rest = await client.ReadToEndAsync(TimeSpan.FromSeconds(10));
        rest.Should().Be("a BAD Unknown command\r\nb BAD Unknown command\r\nc BAD Log in first\r\n* BYE Too many invalid commands\r\n");
    }

    [StoreFact]
    public async Task An_over_long_line_is_refused_and_the_connection_closed()
    {
        // SECURITY C1 / T09.
        var world = await NewWorldAsync();
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true, imap: o => o.MaxLineLength = 1000);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        await client.ReadLineAsync();

        await client.SendAsync("a NOOP " + new string('x', 5000));
        var rest = await client.ReadToEndAsync(TimeSpan.FromSeconds(10));
        rest.Should().Be("a BAD [TOOBIG] Command line too long\r\n");
    }

    [StoreFact]
    public async Task An_idle_client_is_logged_out_before_login()
    {
        var world = await NewWorldAsync();
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, endpoint: o => o.PreAuthenticationIdleTimeout = TimeSpan.FromMilliseconds(300));
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        await client.ReadLineAsync();

        (await client.ReadToEndAsync(TimeSpan.FromSeconds(10))).Should().Be("* BYE Autologout; idle for too long\r\n");
    }

    [StoreFact]
    public async Task Shutdown_says_BYE_to_open_sessions()
    {
        var world = await NewWorldAsync();
        var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var client = await ImapTestServer.LoginAsync(server);

        var stopping = server.DisposeAsync().AsTask();
        (await client.ReadLineAsync()).Should().Be("* BYE [UNAVAILABLE] Server shutting down");
        await stopping.WaitAsync(TimeSpan.FromSeconds(15));
    }

    [StoreFact]
    public async Task LOGOUT_says_BYE_then_OK_even_when_the_client_half_closes_at_once()
    {
        var world = await NewWorldAsync();
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        await client.ReadLineAsync();

        await client.SendAsync("a LOGOUT\r\n");
        client.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        (await client.ReadToEndAsync(TimeSpan.FromSeconds(10))).Should().Be("* BYE MailHost IMAP server logging out\r\na OK LOGOUT completed\r\n");
    }

    [StoreFact]
    public async Task An_HTTP_request_is_closed_without_an_answer()
    {
        // SECURITY A6 / T05: nothing of the request comes back.
        var world = await NewWorldAsync();
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        await client.ReadLineAsync();

        await client.SendAsync("GET /<script> HTTP/1.1\r\nHost: victim\r\n\r\n");
        (await client.ReadToEndAsync(TimeSpan.FromSeconds(10))).Should().BeEmpty();
    }

    [StoreTheory]
    [InlineData("a FETCH 1 ", "(")]
    [InlineData("a SEARCH ", "NOT ")]
    [InlineData("a SEARCH ", "OR ALL ")]
    public async Task Deep_nesting_is_refused_and_the_server_lives(string prefix, string repeated)
    {
        // SECURITY C4 / T12.
        var world = await NewWorldAsync();
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var client = await ImapTestServer.LoginAsync(server);
        await client.CommandAsync("s", "SELECT INBOX");

        await client.SendAsync(prefix + string.Concat(Enumerable.Repeat(repeated, 5_000)) + "ALL\r\n");
        (await client.ReadLineAsync()).Should().StartWith("a BAD");
        (await client.CommandAsync("b", "NOOP")).Should().Equal("b OK NOOP completed");
    }

    [StoreFact]
    public async Task A_connection_dropped_in_the_middle_of_an_APPEND_stores_nothing()
    {
        // SECURITY T24.
        var world = await NewWorldAsync();
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using (var client = await ImapTestServer.LoginAsync(server))
        {
            await client.SendAsync("a APPEND INBOX {1000+}\r\n" + new string('x', 500));
            client.Socket.LingerState = new System.Net.Sockets.LingerOption(true, 0);
        }

        await server.Logs.WaitForAsync(e => e.Message.StartsWith("Connection closed", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        await using var again = await ImapTestServer.LoginAsync(server);
        (await again.CommandAsync("b", "STATUS INBOX (MESSAGES)")).Should().Equal("* STATUS INBOX (MESSAGES 0)", "b OK STATUS completed");
    }

    [StoreFact]
    public async Task STARTTLS_after_login_is_refused()
    {
        // SECURITY A3 / T02: no session fixation across STARTTLS.
        var world = await NewWorldAsync();
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.StartTls, allowPlaintext: true);
        await using var client = await ImapTestServer.LoginAsync(server);

        (await client.CommandAsync("a", "STARTTLS")).Should().Equal("a BAD Command not allowed in this state");
        (await client.CommandAsync("b", "NOOP")).Should().Equal("b OK NOOP completed");
    }

    [StoreFact]
    public async Task An_authenticated_session_is_logged_out_after_its_own_idle_time_even_in_IDLE()
    {
        var world = await NewWorldAsync();
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true, imap: o => o.AuthenticatedIdleTimeout = TimeSpan.FromMilliseconds(500));
        await using var client = await ImapTestServer.LoginAsync(server);

        await client.SendAsync("a IDLE\r\n");
        (await client.ReadLineAsync()).Should().Be("+ idling");
        (await client.ReadToEndAsync(TimeSpan.FromSeconds(10))).Should().Be("* BYE Autologout; idle for too long\r\n");
    }

    [StoreFact]
    public async Task Passwords_never_reach_the_protocol_trace()
    {
        var world = await NewWorldAsync();
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        await client.ReadLineAsync();
        static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

        await client.SendAsync("a LOGIN alice {8}\r\n");
        (await client.ReadLineAsync()).Should().Be("+ Ready for literal data");
        await client.SendAsync(MailWorld.AlicePassword + "\r\n");
        (await client.ReadLineAsync()).Should().StartWith("a OK");
        await client.SendAsync("b LOGOUT\r\n");
        await client.ReadToEndAsync(TimeSpan.FromSeconds(10));

        await using var second = await LineClient.ConnectAsync(server.EndPoint);
        await second.ReadLineAsync();
        await second.SendAsync("c AUTHENTICATE PLAIN " + B64("\0alice\0" + MailWorld.AlicePassword) + "\r\n");
        (await second.ReadLineAsync()).Should().StartWith("c OK");
        await second.SendAsync("d AUTHENTICATE LOGIN\r\n");

        var initial = B64("\0alice\0" + MailWorld.AlicePassword);
        var trace = server.Logs.Entries.Where(e => e.Category == "MailHost.Trace.Imap").Select(e => e.Message).ToList();
        trace.Should().Contain(l => l.Contains("C: a LOGIN <redacted>", StringComparison.Ordinal));
        trace.Should().NotContain(l => l.Contains(MailWorld.AlicePassword, StringComparison.Ordinal) || l.Contains(initial, StringComparison.Ordinal));
    }
}
