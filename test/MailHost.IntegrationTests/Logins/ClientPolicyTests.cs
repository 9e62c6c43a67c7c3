using System.Net;
using MailHost.Accounts;
using MailHost.Hosting;
using MailHost.Imap;
using MailHost.IntegrationTests.Imap;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.IntegrationTests.Pop3;
using MailHost.IntegrationTests.Smtp;
using MailHost.Logins;
using MailHost.Server;
using MailHost.Smtp;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;

namespace MailHost.IntegrationTests.Logins;

/// <summary>
/// Per-account client policies (<c>MailHost:Auth:ClientPolicies</c>) over real sockets with MailKit: network and mechanism
/// limits refuse right credentials like wrong ones (history, throttle, debug log); hidden IMAP capabilities disappear
/// for the matching account, app password or network only, and their commands are refused; the POP3 NUL replacement
/// is per account; the session log names the rules once; the client's ID changes nothing; bad settings stop the start.
/// </summary>
public sealed class ClientPolicyTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_login_from_outside_the_allowed_networks_is_refused_over_IMAP_and_SMTP_recorded_and_counted()
    {
        var world = new MailWorld();
        var rule = new ClientPolicyRule { Name = "office-only", Accounts = { "alice" }, AllowedNetworks = { "127.0.0.1/32" } };
        await using var imap = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true, auth: o => Configure(o, rule));
        await using var smtp = await SmtpTestHost.StartAsync(
            world, MailProtocol.Submission, MailTlsMode.None, allowPlaintext: true, configure: s => s.Configure<AuthenticationOptions>(o => Configure(o, rule)));

        await FluentActions.Awaiting(() => ImapLoginAsync(imap, "alice", MailWorld.AlicePassword, "127.0.0.2", "LOGIN-COMMAND"))
            .Should().ThrowAsync<AuthenticationException>();
        imap.Services.GetRequiredService<AuthenticationThrottle>().DescribeLogin("alice").Failures.Should().Be(1, "the throttle counts it like a wrong password");
        (await imap.Logs.WaitForAsync(e => e.EventId.Id == 1161, Wait)).Message.Should()
            .Contain("office-only").And.Contain("outside its allowed networks (127.0.0.1/32)");

        using (var client = await ImapLoginAsync(imap, "alice", MailWorld.AlicePassword, "127.0.0.1", "LOGIN-COMMAND"))
        {
            await client.DisconnectAsync(true);
        }

        await FluentActions.Awaiting(() => SmtpLoginAsync(smtp, "alice", MailWorld.AlicePassword, "127.0.0.2")).Should().ThrowAsync<AuthenticationException>();
        smtp.Services.GetRequiredService<AuthenticationThrottle>().DescribeLogin("alice").Failures.Should().Be(1);

        world.Directory.GetLoginHistory("alice").Select(r => (r.Protocol, r.RemoteEndPoint!.Address.ToString(), r.Outcome)).Should().Equal(
            ("IMAP", "127.0.0.2", LoginOutcome.PolicyRefused), ("IMAP", "127.0.0.1", LoginOutcome.Succeeded), ("SMTP", "127.0.0.2", LoginOutcome.PolicyRefused));
    }

    [Fact]
    public async Task An_account_limited_to_PLAIN_is_refused_with_the_LOGIN_command_and_SCRAM_and_gets_in_with_PLAIN()
    {
        var world = new MailWorld();
        var rule = new ClientPolicyRule { Name = "plain-only", Accounts = { "alice" }, Mechanisms = { "PLAIN" } };
        await using var imap = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true, auth: o => Configure(o, rule));
        await using var smtp = await SmtpTestHost.StartAsync(
            world, MailProtocol.Submission, MailTlsMode.None, allowPlaintext: true, configure: s => s.Configure<AuthenticationOptions>(o => Configure(o, rule)));

        await FluentActions.Awaiting(() => ImapLoginAsync(imap, "alice", MailWorld.AlicePassword, mechanism: "LOGIN-COMMAND"))
            .Should().ThrowAsync<AuthenticationException>();

        // SMTP has no plain login command for MailKit to fall back to: one SCRAM attempt.
        await FluentActions.Awaiting(() => SmtpLoginAsync(smtp, "alice", MailWorld.AlicePassword, "127.0.0.1", "SCRAM-SHA-256"))
            .Should().ThrowAsync<AuthenticationException>();
        using (var client = await SmtpLoginAsync(smtp, "alice", MailWorld.AlicePassword, "127.0.0.1", "PLAIN"))
        {
            await client.DisconnectAsync(true);
        }

        using (var client = await ImapLoginAsync(imap, "alice", MailWorld.AlicePassword, mechanism: "PLAIN"))
        {
            await client.DisconnectAsync(true);
        }

        using (var client = await ImapLoginAsync(imap, "bob", MailWorld.BobPassword, mechanism: "LOGIN-COMMAND"))
        {
            await client.DisconnectAsync(true);
        }

        world.Directory.GetLoginHistory("alice").Select(r => (r.Protocol, r.Mechanism, r.Outcome)).Should().Equal(
            ("IMAP", "LOGIN", LoginOutcome.PolicyRefused), ("SMTP", "SCRAM-SHA-256", LoginOutcome.PolicyRefused),
            ("SMTP", "PLAIN", LoginOutcome.Succeeded), ("IMAP", "PLAIN", LoginOutcome.Succeeded));
        world.Directory.GetLoginHistory("bob").Should().ContainSingle().Which.Outcome.Should().Be(LoginOutcome.Succeeded, "the rule names alice only");
        (await imap.Logs.WaitForAsync(e => e.EventId.Id == 1161, Wait)).Message.Should().Contain("it does not allow PASSWORD-COMMAND (it allows PLAIN)");
        (await smtp.Logs.WaitForAsync(e => e.EventId.Id == 1161, Wait)).Message.Should().Contain("it does not allow SCRAM-SHA-256 (it allows PLAIN)");
    }

    [Fact]
    public async Task Hidden_capabilities_leave_CAPABILITY_and_their_commands_are_refused_for_that_account_only_logged_once_whatever_ID_says()
    {
        var world = new MailWorld();
        var rule = new ClientPolicyRule { Name = "old-client", Accounts = { "alice" }, HideImapCapabilities = { "IDLE", "COMPRESS=DEFLATE", "CONDSTORE", "THREAD" } };
        await using var imap = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true, auth: o => Configure(o, rule));

        using (var alice = await ImapLoginAsync(imap, "alice", MailWorld.AlicePassword))
        {
            alice.Capabilities.Should().NotHaveFlag(ImapCapabilities.Idle).And.NotHaveFlag(ImapCapabilities.Compress)
                .And.NotHaveFlag(ImapCapabilities.CondStore).And.NotHaveFlag(ImapCapabilities.Thread).And.NotHaveFlag(ImapCapabilities.QuickResync, "RFC 7162: QRESYNC needs CONDSTORE")
                .And.HaveFlag(ImapCapabilities.Sort);
            await alice.NoOpAsync();
            await alice.DisconnectAsync(true);
        }

        // RFC 2971 §3.1: an ID naming the rule, or any client, changes nothing.
        using (var bob = await ImapLoginAsync(imap, "bob", MailWorld.BobPassword, identify: "old-client"))
        {
            bob.Capabilities.Should().HaveFlag(ImapCapabilities.Idle).And.HaveFlag(ImapCapabilities.Compress).And.HaveFlag(ImapCapabilities.CondStore);
            await bob.DisconnectAsync(true);
        }

        await using (var raw = await LineClient.ConnectAsync(imap.EndPoint))
        {
            (await raw.ReadLineAsync()).Should().StartWith("* OK");
            await raw.SendAsync("a LOGIN alice " + MailWorld.AlicePassword + "\r\n");
            var ok = await raw.ReadLineAsync();
            ok.Should().StartWith("a OK [CAPABILITY IMAP4rev1 IMAP4rev2 ").And.NotContain(" IDLE").And.NotContain("THREAD=").And.Contain(" SORT");
            await raw.SendAsync("b IDLE\r\n");
            (await raw.ReadLineAsync()).Should().Be("b BAD Command not supported");
            await raw.SendAsync("c COMPRESS DEFLATE\r\n");
            (await raw.ReadLineAsync()).Should().Be("c BAD Command not supported");
            await raw.SendAsync("d ENABLE CONDSTORE\r\n");
            (await raw.ReadLineAsync()).Should().Be("* ENABLED", "RFC 5161 §3.1: an extension the server does not offer is not enabled");
            (await raw.ReadLineAsync()).Should().StartWith("d OK");
            await raw.SendAsync("e LOGOUT\r\n");
            await raw.ReadToEndAsync(Wait);
        }

        await imap.Logs.WaitForCountAsync(e => e.EventId.Id == 1001, 3, Wait);
        imap.Logs.Entries.Where(e => e.EventId.Id == 1160).Select(e => e.Message).Should().HaveCount(2, "one line in each of alice's two sessions, none in bob's")
            .And.AllSatisfy(m => m.Should().Contain("old-client").And.Contain("'alice'").And.Contain("HideImapCapabilities IDLE, COMPRESS=DEFLATE, CONDSTORE, THREAD"));
    }

    [Fact]
    public async Task A_rule_keyed_on_an_app_password_applies_only_to_logins_with_it_and_one_keyed_on_networks_by_client_address()
    {
        var world = new MailWorld();
        var phone = (await world.Directory.CreateAppPasswordAsync(
            "alice", new NewAppPassword("Alice's phone", AppPasswordProtocols.All, [], null), PasswordRecord.MinimumIterations, CancellationToken.None))!;
        var byAppPassword = new ClientPolicyRule { Name = "phone", AppPasswords = { "alice's PHONE" }, HideImapCapabilities = { "IDLE" } };
        var byNetwork = new ClientPolicyRule { Name = "lab", Networks = { "127.0.0.2" }, HideImapCapabilities = { "SORT" } };
        await using var imap = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true, auth: o => Configure(o, byAppPassword, byNetwork));

        using (var client = await ImapLoginAsync(imap, "alice", phone.Secret, mechanism: "PLAIN"))
        {
            client.Capabilities.Should().NotHaveFlag(ImapCapabilities.Idle).And.HaveFlag(ImapCapabilities.Sort);
            await client.DisconnectAsync(true);
        }

        using (var client = await ImapLoginAsync(imap, "alice", MailWorld.AlicePassword))
        {
            client.Capabilities.Should().HaveFlag(ImapCapabilities.Idle, "the account's own password is not the phone's app password");
            await client.DisconnectAsync(true);
        }

        using (var client = await ImapLoginAsync(imap, "bob", MailWorld.BobPassword, "127.0.0.2"))
        {
            client.Capabilities.Should().NotHaveFlag(ImapCapabilities.Sort).And.HaveFlag(ImapCapabilities.Idle);
            await client.DisconnectAsync(true);
        }

        using (var client = await ImapLoginAsync(imap, "bob", MailWorld.BobPassword, "127.0.0.1"))
        {
            client.Capabilities.Should().HaveFlag(ImapCapabilities.Sort);
            await client.DisconnectAsync(true);
        }
    }

    [Fact]
    public async Task POP3_replaces_NUL_bytes_for_the_account_whose_policy_says_so_only()
    {
        var world = new MailWorld();
        await world.DeliverAsync("alice", MailWorld.Message(1, "line1\x00x"));
        await world.DeliverAsync("bob", MailWorld.Message(1, "line1\x00x"));
        var rule = new ClientPolicyRule { Name = "outlook", Accounts = { "alice" }, Pop3ReplaceNulBytes = true };
        await using var pop3 = await Pop3SessionTests.StartAsync(world, MailTlsMode.None, allowPlaintext: true, auth: o => Configure(o, rule));

        (await RetrieveAsync(pop3, "alice", MailWorld.AlicePassword)).Should().Contain("line1 x").And.NotContain("\0");
        (await RetrieveAsync(pop3, "bob", MailWorld.BobPassword)).Should().Contain("line1\0x");
        (await pop3.Logs.WaitForAsync(e => e.EventId.Id == 1160, Wait)).Message.Should().Contain("outlook").And.Contain("Pop3ReplaceNulBytes true");
    }

    [Theory]
    [InlineData("MailHost:Auth:ClientPolicies:Rules:0:Networks:0", "Rules:0:Networks:0=10.0.0.1/8", "Rules:0:Pop3ReplaceNulBytes=true")]
    [InlineData("MailHost:Auth:ClientPolicies:Default:AllowedNetworks:0", "Default:AllowedNetworks:0=10.0.0.300")]
    [InlineData("MailHost:Auth:ClientPolicies:Rules:0:Mechanisms:0", "Rules:0:Accounts:0=alice", "Rules:0:Mechanisms:0=CRAM-MD5")]
    [InlineData("MailHost:Auth:ClientPolicies:Rules:0", "Rules:0:Mechanisms:0=PLAIN")]
    [InlineData("MailHost:Auth:ClientPolicies:Default:HideImapCapabilities:0", "Default:HideImapCapabilities:0=IMAP4rev1")]
    [InlineData("MailHost:Auth:ClientPolicies:Rules:0:HideImapCapabilities:1", "Rules:0:Accounts:0=alice", "Rules:0:HideImapCapabilities:0=IDLE", "Rules:0:HideImapCapabilities:1=AUTH=PLAIN")]
    public async Task An_invalid_policy_stops_the_start_with_its_key_named(string key, params string[] settings)
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
                "--MailHost:Auth:ClientPolicies:Rules:0:Name=rule",
                .. settings.Select(s => "--MailHost:Auth:ClientPolicies:" + s),
            ]);
            await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        };

        (await start.Should().ThrowAsync<MailHostConfigurationException>()).Which.Key.Should().Be(key);
    }

    /// <summary>The rules, and the throttle on (the test world turns it off) with a short delay.</summary>
    private static void Configure(AuthenticationOptions options, params ClientPolicyRule[] rules)
    {
        options.Throttle.Enabled = true;
        options.Throttle.Delays.Clear();
        options.Throttle.Delays.Add(TimeSpan.FromMilliseconds(10));
        foreach (var rule in rules)
        {
            options.ClientPolicies.Rules.Add(rule);
        }
    }

    /// <summary>
    /// A MailKit IMAP client logged in from <paramref name="source"/> with <paramref name="mechanism"/> alone, or with the
    /// LOGIN command for "LOGIN-COMMAND" (one attempt each: MailKit tries the LOGIN command after a refused SASL one
    /// unless no mechanism is left, and LOGINDISABLED is not advertised here). <paramref name="identify"/> sends an ID
    /// with that name first.
    /// </summary>
    private static async Task<ImapClient> ImapLoginAsync(
        TestMailServer<ImapConnectionHandler> server, string login, string password, string source = "127.0.0.1", string mechanism = "PLAIN", string? identify = null)
    {
        var client = new ImapClient { Timeout = 15_000, LocalEndPoint = new IPEndPoint(IPAddress.Parse(source), 0) };
        try
        {
            await client.ConnectAsync("127.0.0.1", server.Port, SecureSocketOptions.None);
            if (identify is not null)
            {
                await client.IdentifyAsync(new ImapImplementation { Name = identify, Version = "1.0" });
            }

            client.AuthenticationMechanisms.RemoveWhere(m => m != mechanism);
            await client.AuthenticateAsync(login, password);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private static async Task<SmtpClient> SmtpLoginAsync(
        TestMailServer<SmtpConnectionHandler> server, string login, string password, string source, string mechanism = "PLAIN")
    {
        var client = new SmtpClient { Timeout = 15_000, LocalEndPoint = new IPEndPoint(IPAddress.Parse(source), 0) };
        try
        {
            await client.ConnectAsync("127.0.0.1", server.Port, SecureSocketOptions.None);
            client.AuthenticationMechanisms.RemoveWhere(m => m != mechanism);
            await client.AuthenticateAsync(login, password);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Logs in with USER/PASS on a raw socket and returns RETR 1 as received, NUL bytes included.</summary>
    private static async Task<string> RetrieveAsync(TestMailServer<MailHost.Pop3.Pop3ConnectionHandler> server, string login, string password)
    {
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        (await client.ReadLineAsync()).Should().StartWith("+OK");
        await client.SendAsync($"USER {login}\r\nPASS {password}\r\n");
        (await client.ReadLineAsync()).Should().StartWith("+OK");
        (await client.ReadLineAsync()).Should().StartWith("+OK Logged in");
        await client.SendAsync("RETR 1\r\n");
        var lines = new List<string>();
        for (var line = await client.ReadLineAsync(); line != "."; line = await client.ReadLineAsync())
        {
            lines.Add(line!);
        }

        await client.SendAsync("QUIT\r\n");
        return string.Join('\n', lines);
    }
}
