using System.Net;
using System.Text;
using MailHost.Accounts;
using MailHost.Hosting;
using MailHost.Imap;
using MailHost.IntegrationTests.Imap;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.IntegrationTests.Pop3;
using MailHost.IntegrationTests.Smtp;
using MailHost.Logins;
using MailHost.Smtp;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace MailHost.IntegrationTests.Logins;

/// <summary>
/// App passwords over real sockets with MailKit: IMAP, POP3 and SMTP submission take them; their protocol, network and
/// expiry limits hold; a revoked one is refused at once; an account that requires them refuses its own password; one
/// PBKDF2 derivation checks a login whatever their number; the login history names them; no trace or log shows them.
/// </summary>
public sealed class AppPasswordTests
{
    private static readonly NewAppPassword Phone = new("Alice's phone", AppPasswordProtocols.All, [], null);

    [Fact]
    public async Task An_app_password_logs_in_over_IMAP_POP3_and_SMTP_submission_the_history_names_it_and_no_trace_or_log_shows_it()
    {
        var world = new MailWorld();
        var created = await CreateAsync(world, Phone);
        await using var imap = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var pop3 = await Pop3SessionTests.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var smtp = await SmtpTestHost.StartAsync(world, MailProtocol.Submission, MailTlsMode.None, allowPlaintext: true);

        using (var client = await ImapLoginAsync(imap, "alice@example.com", created.Secret))
        {
            (await client.Inbox.OpenAsync(MailKit.FolderAccess.ReadOnly)).Should().Be(MailKit.FolderAccess.ReadOnly);
            await client.DisconnectAsync(true);
        }

        using (var client = new Pop3Client { Timeout = 15_000 })
        {
            await client.ConnectAsync("127.0.0.1", pop3.Port, SecureSocketOptions.None);
            client.AuthenticationMechanisms.Remove("SCRAM-SHA-256");
            await client.AuthenticateAsync("alice", created.Secret.ToUpperInvariant());
            client.Count.Should().Be(0);
            await client.DisconnectAsync(true);
        }

        using (var client = await SmtpLoginAsync(smtp, "alice@example.com", created.Secret.Replace("-", string.Empty, StringComparison.Ordinal)))
        {
            var message = "From: alice@example.com\r\nTo: bob@example.com\r\nSubject: From the phone\r\nMessage-ID: <phone1@example.com>\r\n\r\nHello\r\n";
            await client.SendAsync(MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(message))));
            await client.DisconnectAsync(true);
        }

        (await SmtpTestHost.InboxAsync(world.Store, "bob")).Should().ContainSingle("the phone sent mail with its app password");
        world.Directory.GetLoginHistory("alice").Should().SatisfyRespectively(
            imapLogin => imapLogin.Should().Match<LoginRecord>(r => r.Protocol == "IMAP" && r.Outcome == LoginOutcome.Succeeded && r.AppPasswordName == "Alice's phone" && r.AppPasswordId == created.AppPassword.Id),
            pop3Login => pop3Login.Should().Match<LoginRecord>(r => r.Protocol == "POP3" && r.Outcome == LoginOutcome.Succeeded && r.AppPasswordName == "Alice's phone"),
            smtpLogin => smtpLogin.Should().Match<LoginRecord>(r => r.Protocol == "SMTP" && r.Outcome == LoginOutcome.Succeeded && r.AppPasswordName == "Alice's phone"));
        var lastUse = (await world.Directory.ListAppPasswordsAsync("alice", CancellationToken.None))!.Single().LastUse;
        lastUse.Should().Match<AppPasswordUse>(u => u.Protocol == "SMTP" && u.RemoteAddress!.Equals(IPAddress.Loopback));

        await ExpectNoSecretAsync(imap, created.Secret, "MailHost.Trace.Imap", connections: 1);
        await ExpectNoSecretAsync(pop3, created.Secret, "MailHost.Trace.Pop3", connections: 1);
        await ExpectNoSecretAsync(smtp, created.Secret, "MailHost.Trace.Submission", connections: 1);
    }

    [Fact]
    public async Task An_app_password_limited_to_SMTP_is_refused_over_IMAP_and_works_for_submission()
    {
        var world = new MailWorld();
        var created = await CreateAsync(world, Phone with { Protocols = AppPasswordProtocols.Smtp });
        await using var imap = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var smtp = await SmtpTestHost.StartAsync(world, MailProtocol.Submission, MailTlsMode.None, allowPlaintext: true);

        await FluentActions.Awaiting(() => ImapLoginAsync(imap, "alice", created.Secret, sasl: false)).Should().ThrowAsync<AuthenticationException>();
        using (var client = await SmtpLoginAsync(smtp, "alice", created.Secret))
        {
            await client.DisconnectAsync(true);
        }

        world.Directory.GetLoginHistory("alice").Select(r => (r.Protocol, r.Outcome)).Should().Equal(
            ("IMAP", LoginOutcome.AppPasswordRestricted), ("SMTP", LoginOutcome.Succeeded));
        (await imap.Logs.WaitForAsync(e => e.EventId.Id == 1131, TimeSpan.FromSeconds(10))).Message.Should().Contain("it does not allow IMAP");
    }

    [Fact]
    public async Task An_app_password_limited_to_a_network_is_refused_from_another_source_address()
    {
        var world = new MailWorld();
        var created = await CreateAsync(world, Phone with { Networks = [IPNetwork.Parse("127.0.0.1/32")] });
        await using var imap = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);

        await FluentActions.Awaiting(() => ImapLoginAsync(imap, "alice", created.Secret, source: "127.0.0.2", sasl: false)).Should().ThrowAsync<AuthenticationException>();
        using (var client = await ImapLoginAsync(imap, "alice", created.Secret, source: "127.0.0.1"))
        {
            await client.DisconnectAsync(true);
        }

        var history = world.Directory.GetLoginHistory("alice");
        history.Select(r => (r.RemoteEndPoint!.Address.ToString(), r.Outcome)).Should().Equal(
            ("127.0.0.2", LoginOutcome.AppPasswordRestricted), ("127.0.0.1", LoginOutcome.Succeeded));
        (await imap.Logs.WaitForAsync(e => e.EventId.Id == 1131, TimeSpan.FromSeconds(10))).Message.Should().Contain("outside its networks");
    }

    [Fact]
    public async Task An_expired_app_password_is_refused()
    {
        var world = new MailWorld();
        var expired = await CreateAsync(world, Phone with { Name = "Old phone", Expires = DateTimeOffset.UtcNow.AddMinutes(-1) });
        var current = await CreateAsync(world, Phone with { Name = "New phone", Expires = DateTimeOffset.UtcNow.AddDays(30) });
        await using var imap = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);

        await FluentActions.Awaiting(() => ImapLoginAsync(imap, "alice", expired.Secret, sasl: false)).Should().ThrowAsync<AuthenticationException>();
        using (var client = await ImapLoginAsync(imap, "alice", current.Secret))
        {
            await client.DisconnectAsync(true);
        }

        world.Directory.GetLoginHistory("alice").Select(r => (r.AppPasswordName, r.Outcome)).Should().Equal(
            ("Old phone", LoginOutcome.AppPasswordRestricted), ("New phone", LoginOutcome.Succeeded));
        (await imap.Logs.WaitForAsync(e => e.EventId.Id == 1131, TimeSpan.FromSeconds(10))).Message.Should().Contain("it expired at");
    }

    [Fact]
    public async Task A_revoked_app_password_is_refused_at_once_with_the_verification_cache_on()
    {
        var world = new MailWorld();
        var created = await CreateAsync(world, Phone);
        await using var imap = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true, auth: o => o.VerificationCache.Lifetime = TimeSpan.FromMinutes(5));
        var passwords = imap.Services.GetRequiredService<PasswordAuthenticator>();

        for (var i = 0; i < 2; i++)
        {
            using var client = await ImapLoginAsync(imap, "alice", created.Secret, sasl: false);
            await client.DisconnectAsync(true);
        }

        passwords.PasswordDerivations.Should().Be(1, "the second login was answered by the verification cache");
        (await world.Directory.RevokeAppPasswordAsync("alice", created.AppPassword.Id, CancellationToken.None)).Should().BeTrue();

        await FluentActions.Awaiting(() => ImapLoginAsync(imap, "alice", created.Secret, sasl: false)).Should().ThrowAsync<AuthenticationException>();
        world.Directory.GetLoginHistory("alice").Select(r => r.Outcome).Should().Equal(LoginOutcome.Succeeded, LoginOutcome.Succeeded, LoginOutcome.Failed);
    }

    [Fact]
    public async Task Requiring_app_passwords_refuses_the_account_password_over_IMAP_and_SMTP_SCRAM_included_while_an_app_password_works()
    {
        var world = new MailWorld();
        var created = await CreateAsync(world, Phone);
        (await world.Directory.SetAppPasswordsRequiredAsync("alice", true, CancellationToken.None)).Succeeded.Should().BeTrue();
        await using var imap = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var smtp = await SmtpTestHost.StartAsync(world, MailProtocol.Submission, MailTlsMode.None, allowPlaintext: true);

        await FluentActions.Awaiting(() => ImapLoginAsync(imap, "alice", MailWorld.AlicePassword, sasl: false)).Should().ThrowAsync<AuthenticationException>();
        await FluentActions.Awaiting(() => SmtpLoginAsync(smtp, "alice", MailWorld.AlicePassword)).Should().ThrowAsync<AuthenticationException>();
        await FluentActions.Awaiting(() => SmtpLoginAsync(smtp, "alice", MailWorld.AlicePassword, scram: true)).Should().ThrowAsync<AuthenticationException>();
        using (var client = await ImapLoginAsync(imap, "alice", created.Secret))
        {
            await client.DisconnectAsync(true);
        }

        using (var client = await SmtpLoginAsync(smtp, "alice", created.Secret))
        {
            await client.DisconnectAsync(true);
        }

        world.Directory.GetLoginHistory("alice").Select(r => (r.Protocol, r.Mechanism, r.Outcome)).Should().Equal(
            ("IMAP", "LOGIN", LoginOutcome.AppPasswordRequired),
            ("SMTP", "PLAIN", LoginOutcome.AppPasswordRequired),
            ("SMTP", "SCRAM-SHA-256", LoginOutcome.AppPasswordRequired),
            ("IMAP", "PLAIN", LoginOutcome.Succeeded),
            ("SMTP", "PLAIN", LoginOutcome.Succeeded));
    }

    [Fact]
    public async Task One_PBKDF2_derivation_checks_a_login_whatever_the_number_of_app_passwords()
    {
        var world = new MailWorld();
        var secrets = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            secrets.Add((await CreateAsync(world, Phone with { Name = "device " + i })).Secret);
        }

        static void NoCache(AuthenticationOptions o) => o.VerificationCache.Lifetime = TimeSpan.Zero;
        await using var imap = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true, auth: NoCache);
        await using var smtp = await SmtpTestHost.StartAsync(world, MailProtocol.Submission, MailTlsMode.None, allowPlaintext: true, configure: s => s.Configure<AuthenticationOptions>(NoCache));
        var imapPasswords = imap.Services.GetRequiredService<PasswordAuthenticator>();
        var smtpSasl = smtp.Services.GetRequiredService<SaslAuthenticator>();

        using (var client = await ImapLoginAsync(imap, "alice", secrets[5], sasl: false))
        {
            await client.DisconnectAsync(true);
        }

        imapPasswords.PasswordDerivations.Should().Be(1);
        await FluentActions.Awaiting(() => ImapLoginAsync(imap, "alice", AppPasswordSecrets.NewSecret(), sasl: false)).Should().ThrowAsync<AuthenticationException>();
        imapPasswords.PasswordDerivations.Should().Be(2, "a secret no app password has costs one derivation too");
        using (var client = await SmtpLoginAsync(smtp, "alice", secrets[7]))
        {
            await client.DisconnectAsync(true);
        }

        smtpSasl.PasswordDerivations.Should().Be(1);
    }

    [Theory]
    [InlineData(TestStoreKind.InMemory)]
    [InlineData(TestStoreKind.Sqlite)]
    public async Task On_either_directory_an_app_password_logs_in_and_its_last_use_is_kept(TestStoreKind kind)
    {
        await using var server = await AuthenticationTestServer.StartAsync(kind);
        var appPasswords = (IAppPasswordAdministration)server.Directory.Inner;
        var created = (await appPasswords.CreateAppPasswordAsync("alice", Phone with { Protocols = AppPasswordProtocols.Imap }, PasswordRecord.MinimumIterations, CancellationToken.None))!;

        (await server.LoginFromAsync("127.0.0.30", "alice@example.com", created.Secret)).Should().StartWith("a OK");
        (await server.LoginFromAsync("127.0.0.30", "bob", created.Secret)).Should().StartWith("a NO [AUTHENTICATIONFAILED]", "it is alice's");

        var use = (await appPasswords.ListAppPasswordsAsync("alice", CancellationToken.None))!.Single().LastUse;
        use.Should().Match<AppPasswordUse>(u => u.Protocol == "IMAP" && u.RemoteAddress!.ToString() == "127.0.0.30");
        (await server.HistoryAsync("alice")).Should().ContainSingle().Which.AppPasswordName.Should().Be("Alice's phone");
    }

    private static async Task<AppPasswordCreated> CreateAsync(MailWorld world, NewAppPassword appPassword) =>
        (await world.Directory.CreateAppPasswordAsync("alice", appPassword, PasswordRecord.MinimumIterations, CancellationToken.None))!;

    /// <summary>
    /// A MailKit IMAP client logged in from <paramref name="source"/>: with SASL PLAIN (MailKit would pick SCRAM-SHA-256,
    /// which cannot carry an app password), or with the LOGIN command when <paramref name="sasl"/> is false. A refused
    /// PLAIN makes MailKit try the LOGIN command as well, so logins meant to fail use LOGIN alone: one attempt each.
    /// </summary>
    private static async Task<ImapClient> ImapLoginAsync(
        TestMailServer<ImapConnectionHandler> server, string login, string password, string source = "127.0.0.1", bool sasl = true)
    {
        var client = new ImapClient { Timeout = 15_000, LocalEndPoint = new IPEndPoint(IPAddress.Parse(source), 0) };
        try
        {
            await client.ConnectAsync("127.0.0.1", server.Port, SecureSocketOptions.None);
            client.AuthenticationMechanisms.RemoveWhere(m => !sasl || m != "PLAIN");
            await client.AuthenticateAsync(login, password);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>A MailKit submission client logged in with SASL PLAIN, or with SCRAM-SHA-256 when <paramref name="scram"/> is set.</summary>
    private static async Task<SmtpClient> SmtpLoginAsync(TestMailServer<SmtpConnectionHandler> server, string login, string password, bool scram = false)
    {
        var client = new SmtpClient { Timeout = 15_000 };
        try
        {
            await client.ConnectAsync("127.0.0.1", server.Port, SecureSocketOptions.None);
            client.AuthenticationMechanisms.RemoveWhere(m => m != (scram ? "SCRAM-SHA-256" : "PLAIN"));
            await client.AuthenticateAsync(login, password);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Once every session has ended: the protocol trace was on, and neither it nor any other log line holds the secret in
    /// any spelling a client sends (display form, normal form, upper case, or base64 inside a SASL response).
    /// </summary>
    private static async Task ExpectNoSecretAsync<THandler>(TestMailServer<THandler> server, string secret, string traceCategory, int connections)
        where THandler : ConnectionHandler
    {
        await server.Logs.WaitForCountAsync(e => e.EventId.Id == 1001, connections, TimeSpan.FromSeconds(10));
        var normal = secret.Replace("-", string.Empty, StringComparison.Ordinal);
        string[] spellings =
        [
            secret, normal, secret.ToUpperInvariant(), normal.ToUpperInvariant(), normal[..12],
            B64(secret), B64(secret.ToUpperInvariant()), B64(normal), B64("\0alice\0" + secret), B64("\0alice@example.com\0" + secret),
            B64("\0alice\0" + secret.ToUpperInvariant()), B64("\0alice@example.com\0" + normal), B64("\0alice\0" + normal),
        ];
        server.Logs.Entries.Should().Contain(e => e.Category == traceCategory, "the protocol trace is on");
        var leaks = server.Logs.Entries.Where(e => spellings.Any(s => e.Message.Contains(s, StringComparison.OrdinalIgnoreCase))).Select(e => e.Message).ToList();
        leaks.Should().BeEmpty();
    }

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
