using MailHost.Accounts;
using MailHost.Logins;

namespace MailHost.Tests.Logins;

public class PasswordAuthenticatorTests
{
    private static ValueTask<AuthenticationResult> Login(AuthTestHost host, string login, string password, AuthenticationContext? context = null) =>
        host.Passwords.AuthenticateAsync(login, password, context ?? AuthTestHost.Context(), CancellationToken.None);

    [Theory]
    [InlineData("alice")]
    [InlineData("Alice@Example.COM")]
    [InlineData("postmaster@example.com")]
    public async Task Right_password_succeeds_and_is_recorded(string login)
    {
        var host = new AuthTestHost();
        var context = AuthTestHost.Context(AuthenticationContext.Imap);
        var (result, waited) = await host.RunAsync(Login(host, login, "correct horse", context));

        result.Status.Should().Be(AuthenticationStatus.Succeeded);
        result.Account!.Name.Should().Be("alice");
        result.AuthenticationId.Should().Be(login);
        waited.Should().Be(TimeSpan.Zero);
        context.Mechanism.Should().Be("LOGIN");

        var record = host.Directory.GetLoginHistory("alice").Should().ContainSingle().Subject;
        record.Outcome.Should().Be(LoginOutcome.Succeeded);
        record.Login.Should().Be(login);
        record.Protocol.Should().Be("IMAP");
        record.Mechanism.Should().Be("LOGIN");
        record.Tls.Should().BeTrue();
        record.ClientName.Should().Be("TestClient");
        record.RemoteEndPoint!.ToString().Should().Be("192.0.2.10:50000");
        record.Timestamp.Should().Be(host.Time.GetUtcNow());
    }

    [Fact]
    public async Task Unknown_login_and_wrong_password_give_the_same_result_and_delay()
    {
        var host = new AuthTestHost();
        var (wrong, wrongWait) = await host.RunAsync(Login(host, "alice", "wrong", AuthTestHost.Context(address: "192.0.2.1")));
        var (unknown, unknownWait) = await host.RunAsync(Login(host, "mallory", "wrong", AuthTestHost.Context(address: "192.0.2.2")));

        wrong.Status.Should().Be(AuthenticationStatus.InvalidCredentials);
        unknown.Status.Should().Be(wrong.Status);
        unknown.Message.Should().Be(wrong.Message);
        unknownWait.Should().Be(wrongWait).And.Be(TimeSpan.FromSeconds(2));

        host.Directory.GetLoginHistory("alice").Should().ContainSingle().Which.Outcome.Should().Be(LoginOutcome.Failed);
        var unmatched = host.Directory.GetLoginHistory(null).Should().ContainSingle().Subject;
        unmatched.Outcome.Should().Be(LoginOutcome.Failed);
        unmatched.AccountName.Should().BeNull();
        unmatched.Login.Should().Be("mallory");
    }

    [Fact]
    public async Task Unknown_login_costs_a_password_derivation_like_a_wrong_password()
    {
        // SECURITY D2: the unknown login runs a PBKDF2 derivation at the configured cost, as a wrong password for a
        // real account does. Counted, not timed: a wall-clock comparison fails on a loaded machine.
        var host = new AuthTestHost(o => o.Throttle.Enabled = false);
        var before = host.Passwords.PasswordDerivations;
        (await Login(host, "alice", "wrong")).Status.Should().Be(AuthenticationStatus.InvalidCredentials);
        var known = host.Passwords.PasswordDerivations - before;

        before = host.Passwords.PasswordDerivations;
        (await Login(host, "nobody-here", "wrong")).Status.Should().Be(AuthenticationStatus.InvalidCredentials);
        var unknown = host.Passwords.PasswordDerivations - before;

        known.Should().Be(1);
        unknown.Should().Be(known);
    }

    [Fact]
    public async Task Empty_password_is_refused_at_once_and_not_counted()
    {
        var host = new AuthTestHost(o => o.Throttle.LoginBanThreshold = 2);
        for (var i = 0; i < 5; i++)
        {
            var (result, waited) = await host.RunAsync(Login(host, "alice", ""));
            result.Status.Should().Be(AuthenticationStatus.EmptyPassword);
            result.CountsAsFailure.Should().BeFalse();
            waited.Should().Be(TimeSpan.Zero);
        }

        host.Throttle.GetDelay(AuthTestHost.Context().RemoteEndPoint!.Address, "alice").Should().Be(TimeSpan.Zero);
        host.Throttle.IsBlocked(null, "alice").Should().BeFalse();
        // Recorded once: the repeats from the same address are coalesced (EmptyPasswordLoopTests has the rest).
        host.Directory.GetLoginHistory("alice").Should().ContainSingle().Which.Outcome.Should().Be(LoginOutcome.EmptyPassword);

        var (ok, _) = await host.RunAsync(Login(host, "alice", "correct horse"));
        ok.Succeeded.Should().BeTrue();
    }

    [Fact]
    public async Task Delays_escalate_and_success_pays_the_earned_penalty()
    {
        var host = new AuthTestHost();
        var waits = new List<TimeSpan>();
        for (var i = 0; i < 3; i++)
        {
            var (result, waited) = await host.RunAsync(Login(host, "alice", "guess" + i));
            result.Status.Should().Be(AuthenticationStatus.InvalidCredentials);
            waits.Add(waited);
        }

        waits.Should().Equal(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8));

        var (ok, okWait) = await host.RunAsync(Login(host, "alice", "correct horse"));
        ok.Succeeded.Should().BeTrue();
        okWait.Should().Be(TimeSpan.FromSeconds(8));

        // The login's counter is cleared; the address keeps its own.
        host.Throttle.GetDelay(null, "alice").Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public async Task Same_wrong_password_repeated_keeps_the_first_delay()
    {
        var host = new AuthTestHost();
        for (var i = 0; i < 4; i++)
        {
            var (_, waited) = await host.RunAsync(Login(host, "alice", "last-years-password"));
            waited.Should().Be(TimeSpan.FromSeconds(2));
        }
    }

    [Fact]
    public async Task Blocked_login_is_refused_without_checking_and_recorded_from_an_address_that_failed_too()
    {
        // An address without failures of its own is still checked: DistributedLockoutTests.
        var host = new AuthTestHost(o => o.Throttle.LoginBanThreshold = 2);
        await host.RunAsync(Login(host, "alice", "a", AuthTestHost.Context(address: "198.51.100.5")));
        await host.RunAsync(Login(host, "alice@example.com", "b", AuthTestHost.Context(address: "192.0.2.99")));

        var (result, _) = await host.RunAsync(Login(host, "alice", "correct horse", AuthTestHost.Context(address: "198.51.100.5")));
        result.Status.Should().Be(AuthenticationStatus.Throttled);
        result.CountsAsFailure.Should().BeTrue();
        host.Directory.GetLoginHistory("alice").Select(r => r.Outcome)
            .Should().Equal(LoginOutcome.Failed, LoginOutcome.Failed, LoginOutcome.Throttled);
    }

    [Fact]
    public async Task Disabled_account_with_right_password_is_refused_and_recorded()
    {
        var host = new AuthTestHost();
        host.Directory.SetDisabled("bob", true);
        var (result, _) = await host.RunAsync(Login(host, "bob", "bob-secret"));
        result.Status.Should().Be(AuthenticationStatus.AccountDisabled);
        host.Directory.GetLoginHistory("bob").Should().ContainSingle().Which.Outcome.Should().Be(LoginOutcome.Disabled);

        var (wrong, _) = await host.RunAsync(Login(host, "bob", "nope"));
        wrong.Status.Should().Be(AuthenticationStatus.InvalidCredentials);
    }

    [Fact]
    public async Task Account_without_password_record_cannot_log_in()
    {
        var host = new AuthTestHost();
        host.Directory.AddAccount("carol");
        var (result, _) = await host.RunAsync(Login(host, "carol", "anything"));
        result.Status.Should().Be(AuthenticationStatus.InvalidCredentials);
    }

    [Theory]
    [InlineData("alice\0bob")]
    [InlineData("alice\r\nA2 LOGOUT")]
    public async Task Control_characters_in_the_login_never_reach_the_resolver(string login)
    {
        var resolver = new RecordingResolver();
        var host = new AuthTestHost(resolver: resolver);
        var (result, _) = await host.RunAsync(Login(host, login, "correct horse"));
        result.Status.Should().Be(AuthenticationStatus.InvalidCredentials);
        resolver.Requests.Should().BeEmpty();
        var recorded = host.Directory.GetLoginHistory(null).Should().ContainSingle().Subject.Login;
        recorded.Should().NotContain("\0").And.NotContain("\r");
    }

    [Fact]
    public async Task Over_long_login_never_reaches_the_resolver()
    {
        var resolver = new RecordingResolver();
        var host = new AuthTestHost(resolver: resolver);
        var (result, _) = await host.RunAsync(Login(host, new string('a', 1_000_000), "x"));
        result.Status.Should().Be(AuthenticationStatus.InvalidCredentials);
        resolver.Requests.Should().BeEmpty();
        host.Directory.GetLoginHistory(null).Single().Login.Length.Should().Be(AuthenticationLimits.MaxLoginLength);
    }

    [Fact]
    public async Task Plaintext_connections_are_refused_unless_allowed()
    {
        var host = new AuthTestHost();
        host.Passwords.IsAllowed(isTls: false).Should().BeFalse();
        var (refused, _) = await host.RunAsync(Login(host, "alice", "correct horse", AuthTestHost.Context(tls: false)));
        refused.Status.Should().Be(AuthenticationStatus.EncryptionRequired);
        host.Directory.GetLoginHistory("alice").Should().BeEmpty();

        var open = new AuthTestHost(o => o.AllowPlaintextAuthentication = true);
        open.Passwords.IsAllowed(isTls: false).Should().BeTrue();
        var (ok, _) = await open.RunAsync(Login(open, "alice", "correct horse", AuthTestHost.Context(tls: false)));
        ok.Succeeded.Should().BeTrue();
        open.Directory.GetLoginHistory("alice").Single().Tls.Should().BeFalse();
    }

    [Fact]
    public async Task Pop3_attempts_are_recorded_as_USER()
    {
        var host = new AuthTestHost();
        await host.RunAsync(Login(host, "alice", "correct horse", AuthTestHost.Context(AuthenticationContext.Pop3)));
        var record = host.Directory.GetLoginHistory("alice").Single();
        record.Protocol.Should().Be("POP3");
        record.Mechanism.Should().Be("USER");
    }

    [Fact]
    public async Task Passwords_never_appear_in_logs()
    {
        var host = new AuthTestHost();
        await host.RunAsync(Login(host, "alice", "correct horse"));
        await host.RunAsync(Login(host, "alice", "Wr0ngPassw0rd"));
        await host.RunAsync(Login(host, "nobody", "Wr0ngPassw0rd"));
        host.PasswordLog.Entries.Should().NotBeEmpty();
        host.PasswordLog.Entries.Concat(host.ResolverLog.Entries)
            .Should().NotContain(e => e.Text.Contains("correct horse") || e.Text.Contains("Wr0ngPassw0rd"));
    }

    [Fact]
    public void Failure_counter_reaches_its_limit_on_counted_failures_only()
    {
        var counter = new AuthenticationFailureCounter(3);
        counter.Record(AuthenticationResult.Failure(AuthenticationStatus.EmptyPassword)).Should().BeFalse();
        counter.Record(AuthenticationResult.Failure(AuthenticationStatus.Cancelled)).Should().BeFalse();
        counter.Record(AuthenticationResult.Failure(AuthenticationStatus.InvalidCredentials)).Should().BeFalse();
        counter.Record(AuthenticationResult.Failure(AuthenticationStatus.Malformed)).Should().BeFalse();
        counter.Record(AuthenticationResult.Failure(AuthenticationStatus.InvalidCredentials)).Should().BeTrue();
        counter.Failures.Should().Be(3);
    }

    private sealed class RecordingResolver : IAuthIdentityResolver
    {
        public List<AuthIdentityRequest> Requests { get; } = [];

        public ValueTask<AccountInfo?> ResolveAsync(AuthIdentityRequest request, CancellationToken ct)
        {
            Requests.Add(request);
            return ValueTask.FromResult<AccountInfo?>(null);
        }
    }
}
