using System.Net;
using System.Text;
using MailHost.Accounts;
using MailHost.Logins;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MailHost.Tests.Logins;

/// <summary>
/// Logins with app passwords through the authenticators: which secret is checked and at what cost, the limits of an app
/// password, an account that requires them, the verification cache, the login history and the logs.
/// </summary>
public sealed class AppPasswordLoginTests
{
    private static readonly NewAppPassword AnyMail = new("Alice's phone", AppPasswordProtocols.All, [], null);

    [Theory]
    [InlineData(AuthenticationContext.Imap)]
    [InlineData(AuthenticationContext.Pop3)]
    public async Task An_app_password_logs_in_however_it_is_typed_and_the_login_names_it(string protocol)
    {
        var host = new AuthTestHost();
        var created = await CreateAsync(host, AnyMail);
        var typed = created.Secret.Replace("-", " ", StringComparison.Ordinal).ToUpperInvariant();

        var (result, waited) = await host.RunAsync(host.Passwords.AuthenticateAsync("alice@example.com", typed, AuthTestHost.Context(protocol), CancellationToken.None));

        result.Succeeded.Should().BeTrue();
        result.Account!.Name.Should().Be("alice");
        waited.Should().Be(TimeSpan.Zero);
        var record = host.Directory.GetLoginHistory("alice").Single();
        record.Outcome.Should().Be(LoginOutcome.Succeeded);
        record.AppPasswordId.Should().Be(created.AppPassword.Id);
        record.AppPasswordName.Should().Be("Alice's phone");
        var use = (await host.Directory.ListAppPasswordsAsync("alice", CancellationToken.None))!.Single().LastUse;
        use.Should().Be(new AppPasswordUse(host.Time.GetUtcNow(), IPAddress.Parse("192.0.2.10"), protocol, "TestClient"));
    }

    [Fact]
    public async Task SASL_PLAIN_and_LOGIN_over_SMTP_take_an_app_password()
    {
        var host = new AuthTestHost();
        var created = await CreateAsync(host, AnyMail with { Protocols = AppPasswordProtocols.Smtp });
        var context = AuthTestHost.Context(AuthenticationContext.Smtp);

        var (plain, _) = await host.RunAsync(Sasl(host, "PLAIN", B64("\0alice\0" + created.Secret), ScriptedChannel.Lines(), context));
        var (login, _) = await host.RunAsync(Sasl(host, "LOGIN", null, ScriptedChannel.Lines(B64("alice"), B64(created.Secret)), context));

        plain.Succeeded.Should().BeTrue();
        login.Succeeded.Should().BeTrue();
        host.Directory.GetLoginHistory("alice").Should().HaveCount(2).And.OnlyContain(r => r.AppPasswordId == created.AppPassword.Id);
    }

    [Fact]
    public async Task One_PBKDF2_derivation_decides_whatever_the_number_of_app_passwords()
    {
        var host = new AuthTestHost(o => o.VerificationCache.Lifetime = TimeSpan.Zero);
        var secrets = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            secrets.Add((await CreateAsync(host, AnyMail with { Name = "device " + i })).Secret);
        }

        async Task<long> DerivationsOfAsync(string password, bool expected)
        {
            var before = host.Passwords.PasswordDerivations;
            var (result, _) = await host.RunAsync(host.Passwords.AuthenticateAsync("alice", password, AuthTestHost.Context(), CancellationToken.None));
            result.Succeeded.Should().Be(expected);
            return host.Passwords.PasswordDerivations - before;
        }

        (await DerivationsOfAsync(secrets[4], expected: true)).Should().Be(1, "the tag finds the one record to check");
        (await DerivationsOfAsync(secrets[0], expected: true)).Should().Be(1);
        (await DerivationsOfAsync("correct horse", expected: true)).Should().Be(1, "the account's own password costs the same");
        (await DerivationsOfAsync(AppPasswordSecrets.NewSecret(), expected: false)).Should().Be(1, "an unknown secret is checked once, as the account's password");
        (await DerivationsOfAsync("wrong", expected: false)).Should().Be(1);
        (await DerivationsOfAsync(secrets[2].Replace('-', ' '), expected: true)).Should().Be(1);
    }

    [Fact]
    public async Task An_app_password_limited_to_SMTP_is_refused_over_IMAP_like_a_wrong_password_with_the_reason_in_the_debug_log()
    {
        var host = new AuthTestHost();
        var created = await CreateAsync(host, AnyMail with { Protocols = AppPasswordProtocols.Smtp });

        var (result, waited) = await host.RunAsync(host.Passwords.AuthenticateAsync("alice", created.Secret, AuthTestHost.Context(), CancellationToken.None));

        result.Status.Should().Be(AuthenticationStatus.InvalidCredentials);
        result.Message.Should().Be("Authentication failed");
        result.CountsAsFailure.Should().BeTrue();
        waited.Should().Be(TimeSpan.FromSeconds(2), "the throttle counts it like a wrong password");
        var record = host.Directory.GetLoginHistory("alice").Single();
        record.Outcome.Should().Be(LoginOutcome.AppPasswordRestricted);
        record.AppPasswordId.Should().Be(created.AppPassword.Id);
        host.PasswordLog.Entries.Should().Contain(e => e.Id.Id == 1131 && e.Level == LogLevel.Debug
            && e.Text.Contains(created.AppPassword.Id, StringComparison.Ordinal) && e.Text.Contains("it does not allow IMAP (it allows smtp)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_app_password_limited_to_networks_is_refused_from_elsewhere_and_an_IPv4_client_on_a_dual_stack_socket_matches()
    {
        var host = new AuthTestHost();
        var created = await CreateAsync(host, AnyMail with { Networks = [IPNetwork.Parse("192.0.2.0/24")] });

        var (outside, _) = await host.RunAsync(host.Passwords.AuthenticateAsync("alice", created.Secret, AuthTestHost.Context(address: "198.51.100.1"), CancellationToken.None));
        var (mapped, _) = await host.RunAsync(host.Passwords.AuthenticateAsync("alice", created.Secret, AuthTestHost.Context(address: "::ffff:192.0.2.99"), CancellationToken.None));

        outside.Status.Should().Be(AuthenticationStatus.InvalidCredentials);
        mapped.Succeeded.Should().BeTrue();
        host.Directory.GetLoginHistory("alice").Select(r => r.Outcome).Should().Equal(LoginOutcome.AppPasswordRestricted, LoginOutcome.Succeeded);
        host.PasswordLog.Entries.Should().Contain(e => e.Id.Id == 1131 && e.Text.Contains("the client address is outside its networks", StringComparison.Ordinal));
        (await host.Directory.ListAppPasswordsAsync("alice", CancellationToken.None))!.Single().LastUse!.RemoteAddress.Should().Be(IPAddress.Parse("192.0.2.99"));
    }

    [Fact]
    public async Task An_app_password_works_until_its_expiry_and_is_refused_from_then_on()
    {
        var host = new AuthTestHost();
        var created = await CreateAsync(host, AnyMail with { Expires = host.Time.GetUtcNow().AddHours(1) });

        (await host.RunAsync(host.Passwords.AuthenticateAsync("alice", created.Secret, AuthTestHost.Context(), CancellationToken.None))).Result.Succeeded.Should().BeTrue();
        host.Time.Advance(TimeSpan.FromHours(1));
        var (expired, _) = await host.RunAsync(host.Passwords.AuthenticateAsync("alice", created.Secret, AuthTestHost.Context(), CancellationToken.None));

        expired.Status.Should().Be(AuthenticationStatus.InvalidCredentials);
        host.Directory.GetLoginHistory("alice")[^1].Outcome.Should().Be(LoginOutcome.AppPasswordRestricted);
        host.PasswordLog.Entries.Should().Contain(e => e.Id.Id == 1131 && e.Text.Contains("it expired at 2026-01-01T01:00:00.0000000+00:00", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_app_password_never_signs_in_to_the_administration_console()
    {
        var host = new AuthTestHost();
        var created = await CreateAsync(host, AnyMail);

        var (result, _) = await host.RunAsync(host.Passwords.AuthenticateAsync("alice", created.Secret, AuthTestHost.Context("HTTP"), CancellationToken.None));

        result.Status.Should().Be(AuthenticationStatus.InvalidCredentials);
        host.Directory.GetLoginHistory("alice").Single().Should().Match<LoginRecord>(r => r.Outcome == LoginOutcome.Failed && r.AppPasswordId == null);
    }

    [Fact]
    public async Task An_account_that_requires_app_passwords_refuses_its_own_password_for_mail_but_not_for_the_console()
    {
        var host = new AuthTestHost();
        var created = await CreateAsync(host, AnyMail);
        (await host.Directory.SetAppPasswordsRequiredAsync("alice", true, CancellationToken.None)).Succeeded.Should().BeTrue();

        foreach (var protocol in new[] { AuthenticationContext.Imap, AuthenticationContext.Pop3 })
        {
            var (refused, _) = await host.RunAsync(host.Passwords.AuthenticateAsync("alice", "correct horse", AuthTestHost.Context(protocol), CancellationToken.None));
            refused.Status.Should().Be(AuthenticationStatus.InvalidCredentials, protocol);
        }

        var (smtp, _) = await host.RunAsync(Sasl(host, "PLAIN", B64("\0alice\0correct horse"), ScriptedChannel.Lines(), AuthTestHost.Context(AuthenticationContext.Smtp)));
        var (console, _) = await host.RunAsync(host.Passwords.AuthenticateAsync("alice", "correct horse", AuthTestHost.Context("HTTP"), CancellationToken.None));
        var (app, _) = await host.RunAsync(host.Passwords.AuthenticateAsync("alice", created.Secret, AuthTestHost.Context(), CancellationToken.None));

        smtp.Status.Should().Be(AuthenticationStatus.InvalidCredentials);
        console.Succeeded.Should().BeTrue("the console still takes the account's password");
        app.Succeeded.Should().BeTrue();
        host.Directory.GetLoginHistory("alice").Select(r => r.Outcome).Should().Equal(
            LoginOutcome.AppPasswordRequired, LoginOutcome.AppPasswordRequired, LoginOutcome.AppPasswordRequired, LoginOutcome.Succeeded, LoginOutcome.Succeeded);
        host.PasswordLog.Entries.Should().Contain(e => e.Id.Id == 1132 && e.Level == LogLevel.Debug && e.Text.Contains("requires app passwords", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SCRAM_uses_the_account_password_and_is_refused_at_the_end_for_an_account_that_requires_app_passwords()
    {
        var host = new AuthTestHost();
        (await host.Directory.SetAppPasswordsRequiredAsync("alice", true, CancellationToken.None)).Succeeded.Should().BeTrue();
        var client = new ScramClient("alice", "correct horse");
        var channel = new ScriptedChannel(client.Respond);

        var (result, waited) = await host.RunAsync(Sasl(host, "SCRAM-SHA-256", B64(client.ClientFirst), channel, AuthTestHost.Context()));

        result.Status.Should().Be(AuthenticationStatus.InvalidCredentials);
        waited.Should().Be(TimeSpan.FromSeconds(2));
        var salt = ScramClient.Attributes(channel.Challenges[0])["s"];
        salt.Should().Be(Convert.ToBase64String((await host.Directory.GetPasswordRecordAsync("alice", CancellationToken.None))!.Salt.Span),
            "the exchange shows the account's own salt, like any other");
        host.Directory.GetLoginHistory("alice").Single().Outcome.Should().Be(LoginOutcome.AppPasswordRequired);

        (await host.Directory.SetAppPasswordsRequiredAsync("alice", false, CancellationToken.None)).Succeeded.Should().BeTrue();
        var again = new ScramClient("alice", "correct horse");
        (await host.RunAsync(Sasl(host, "SCRAM-SHA-256", B64(again.ClientFirst), new ScriptedChannel(again.Respond), AuthTestHost.Context()))).Result.Succeeded.Should().BeTrue();
    }

    [Fact]
    public async Task With_the_verification_cache_on_a_revoked_app_password_is_refused_at_once()
    {
        var host = new AuthTestHost();
        var created = await CreateAsync(host, AnyMail);
        (await host.RunAsync(host.Passwords.AuthenticateAsync("alice", created.Secret, AuthTestHost.Context(), CancellationToken.None))).Result.Succeeded.Should().BeTrue();
        var derivations = host.Passwords.PasswordDerivations;
        (await host.RunAsync(host.Passwords.AuthenticateAsync("alice", created.Secret, AuthTestHost.Context(), CancellationToken.None))).Result.Succeeded.Should().BeTrue();
        host.Passwords.PasswordDerivations.Should().Be(derivations, "the cache answered the second login");

        (await host.Directory.RevokeAppPasswordAsync("alice", created.AppPassword.Id, CancellationToken.None)).Should().BeTrue();
        var (revoked, _) = await host.RunAsync(host.Passwords.AuthenticateAsync("alice", created.Secret, AuthTestHost.Context(), CancellationToken.None));

        revoked.Status.Should().Be(AuthenticationStatus.InvalidCredentials);
        host.Directory.GetLoginHistory("alice")[^1].Should().Match<LoginRecord>(r => r.Outcome == LoginOutcome.Failed && r.AppPasswordId == null);
    }

    [Fact]
    public async Task The_same_use_is_recorded_once_a_minute_and_a_failure_to_record_it_is_logged_while_the_login_goes_ahead()
    {
        var time = new FakeTimeProvider();
        var inner = new InMemoryAccountDirectory(timeProvider: time);
        inner.AddDomain("example.com");
        inner.AddAccount("alice", "correct horse", AuthTestHost.Iterations);
        var created = (await inner.CreateAppPasswordAsync("alice", AnyMail, AuthTestHost.Iterations, CancellationToken.None))!;
        var directory = new UseRecordingDirectory(inner);
        var options = Options.Create(new AuthenticationOptions { PasswordIterations = AuthTestHost.Iterations });
        var log = new ListLogger<PasswordAuthenticator>();
        var passwords = new PasswordAuthenticator(
            new DirectoryAuthIdentityResolver(directory, options, new ListLogger<DirectoryAuthIdentityResolver>()), directory,
            new AuthenticationThrottle(options, time), options, time, log);

        for (var i = 0; i < 3; i++)
        {
            (await passwords.AuthenticateAsync("alice", created.Secret, AuthTestHost.Context(), CancellationToken.None)).Succeeded.Should().BeTrue();
        }

        directory.Uses.Should().Be(1, "three connections of one client in the same minute are one use");
        time.Advance(TimeSpan.FromMinutes(1));
        (await passwords.AuthenticateAsync("alice", created.Secret, AuthTestHost.Context(), CancellationToken.None)).Succeeded.Should().BeTrue();
        (await passwords.AuthenticateAsync("alice", created.Secret, AuthTestHost.Context(address: "192.0.2.11"), CancellationToken.None)).Succeeded.Should().BeTrue();
        directory.Uses.Should().Be(3, "a minute later, and from another address, the use is recorded again");

        directory.Fail = true;
        time.Advance(TimeSpan.FromMinutes(1));
        (await passwords.AuthenticateAsync("alice", created.Secret, AuthTestHost.Context(), CancellationToken.None)).Succeeded.Should().BeTrue();
        log.Entries.Should().Contain(e => e.Id.Id == 1133 && e.Level == LogLevel.Warning && e.Text.Contains(created.AppPassword.Id, StringComparison.Ordinal));
        log.Entries.Should().NotContain(e => e.Text.Contains(created.Secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Neither_the_secret_nor_its_normal_form_reaches_the_logs()
    {
        var host = new AuthTestHost();
        var created = await CreateAsync(host, AnyMail with { Protocols = AppPasswordProtocols.Imap, Expires = host.Time.GetUtcNow().AddDays(1) });
        AppPasswordSecrets.TryNormalize(created.Secret, out var normalized).Should().BeTrue();

        await host.RunAsync(host.Passwords.AuthenticateAsync("alice", created.Secret, AuthTestHost.Context(), CancellationToken.None));
        await host.RunAsync(host.Passwords.AuthenticateAsync("alice", created.Secret, AuthTestHost.Context(AuthenticationContext.Pop3), CancellationToken.None));
        await host.RunAsync(Sasl(host, "PLAIN", B64("\0alice\0" + created.Secret), ScriptedChannel.Lines(), AuthTestHost.Context(AuthenticationContext.Smtp)));
        host.Time.Advance(TimeSpan.FromDays(2));
        await host.RunAsync(host.Passwords.AuthenticateAsync("alice", created.Secret, AuthTestHost.Context(), CancellationToken.None));

        var lines = host.PasswordLog.Entries.Select(e => e.Text).Concat(host.SaslLog.Entries.Select(e => e.Text)).ToList();
        lines.Should().Contain(line => line.Contains(created.AppPassword.Id, StringComparison.Ordinal), "the logs name the app password by its id");
        lines.Should().NotContain(line => line.Contains(created.Secret, StringComparison.Ordinal) || line.Contains(normalized!, StringComparison.Ordinal));
    }

    private static async Task<AppPasswordCreated> CreateAsync(AuthTestHost host, NewAppPassword appPassword) =>
        (await host.Directory.CreateAppPasswordAsync("alice", appPassword, AuthTestHost.Iterations, CancellationToken.None))!;

    private static ValueTask<AuthenticationResult> Sasl(
        AuthTestHost host, string mechanism, string? initialResponse, ISaslChallengeChannel channel, AuthenticationContext context) =>
        host.Sasl.AuthenticateAsync(
            mechanism,
            initialResponse is null ? (ReadOnlyMemory<byte>?)null : Encoding.ASCII.GetBytes(initialResponse),
            channel,
            context,
            CancellationToken.None);

    private static string B64(string text) => ScriptedChannel.B64(text);

    /// <summary>An in-memory directory that counts the recorded uses of app passwords, and fails them when told to.</summary>
    private sealed class UseRecordingDirectory(InMemoryAccountDirectory inner) : IAccountDirectory
    {
        public int Uses { get; private set; }

        public bool Fail { get; set; }

        public ValueTask<AccountInfo?> FindByNameAsync(string accountName, CancellationToken cancellationToken) => inner.FindByNameAsync(accountName, cancellationToken);

        public ValueTask<AccountInfo?> FindByAddressAsync(string address, CancellationToken cancellationToken) => inner.FindByAddressAsync(address, cancellationToken);

        public ValueTask<PasswordRecord?> GetPasswordRecordAsync(string accountName, CancellationToken cancellationToken) => inner.GetPasswordRecordAsync(accountName, cancellationToken);

        public ValueTask<bool> IsLocalDomainAsync(string domain, CancellationToken cancellationToken) => inner.IsLocalDomainAsync(domain, cancellationToken);

        public ValueTask RecordLoginAsync(LoginRecord record, CancellationToken cancellationToken) => inner.RecordLoginAsync(record, cancellationToken);

        public ValueTask<ReadOnlyMemory<byte>?> GetServerSecretAsync(CancellationToken cancellationToken) => inner.GetServerSecretAsync(cancellationToken);

        public ValueTask<AppPasswordCredential?> FindAppPasswordAsync(string accountName, ReadOnlyMemory<byte> lookupTag, CancellationToken cancellationToken) =>
            inner.FindAppPasswordAsync(accountName, lookupTag, cancellationToken);

        public ValueTask RecordAppPasswordUseAsync(string accountName, string id, AppPasswordUse use, CancellationToken cancellationToken)
        {
            if (Fail)
            {
                throw new IOException("The directory is read-only.");
            }

            Uses++;
            return inner.RecordAppPasswordUseAsync(accountName, id, use, cancellationToken);
        }
    }
}
