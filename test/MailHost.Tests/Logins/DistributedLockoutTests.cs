using System.Net;
using MailHost.Accounts;
using MailHost.Logins;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MailHost.Tests.Logins;

/// <summary>
/// Issue 17 item 13: failures from many addresses block a login for those addresses, but never refuse the right
/// password from an address without failures of its own; they only slow it down, and the attack is logged.
/// </summary>
public class DistributedLockoutTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void A_blocked_login_still_lets_an_address_without_failures_reach_the_password_check()
    {
        var throttle = Throttle(o =>
        {
            o.LoginBanThreshold = 3;
            o.ExemptNetworks.Add("10.0.0.0/8");
        });
        for (var i = 1; i <= 3; i++)
        {
            throttle.RecordFailure(IPAddress.Parse("203.0.113." + i), "alice", "guess" + i);
        }

        throttle.IsBlocked(IPAddress.Parse("198.51.100.7"), "alice").Should().BeTrue("the login is blocked");
        throttle.Evaluate(IPAddress.Parse("198.51.100.7"), "alice").Should().Be(ThrottleVerdict.LoginBlockedElsewhere);
        throttle.Evaluate(IPAddress.Parse("203.0.113.1"), "alice").Should().Be(ThrottleVerdict.Blocked, "that address failed too");
        throttle.Evaluate(IPAddress.Parse("10.1.2.3"), "alice").Should().Be(ThrottleVerdict.Blocked, "an exempt network's failures are not counted, so it cannot be told clean");
        throttle.Evaluate(null, "alice").Should().Be(ThrottleVerdict.Blocked);
        throttle.Evaluate(IPAddress.Parse("198.51.100.7"), "bob").Should().Be(ThrottleVerdict.Open);

        // The address's own failure makes it one of the strangers for the failure window.
        throttle.RecordFailure(IPAddress.Parse("198.51.100.7"), "someone", "x");
        throttle.Evaluate(IPAddress.Parse("198.51.100.7"), "alice").Should().Be(ThrottleVerdict.Blocked);
        _time.Advance(TimeSpan.FromMinutes(15));
        throttle.Evaluate(IPAddress.Parse("198.51.100.7"), "alice").Should().Be(ThrottleVerdict.LoginBlockedElsewhere);
    }

    [Fact]
    public void A_blocked_address_stays_blocked_whatever_the_login()
    {
        var throttle = Throttle(o => o.AddressBanThreshold = 2);
        throttle.RecordFailure(IPAddress.Parse("203.0.113.1"), "a", "1");
        throttle.RecordFailure(IPAddress.Parse("203.0.113.1"), "b", "2");
        throttle.Evaluate(IPAddress.Parse("203.0.113.1"), "fresh").Should().Be(ThrottleVerdict.Blocked);
    }

    [Theory]
    [InlineData(DirectoryKind.InMemory)]
    [InlineData(DirectoryKind.Sqlite)]
    public async Task The_right_password_from_a_clean_address_gets_in_late_and_a_wrong_one_is_refused_as_before(DirectoryKind kind)
    {
        await using var host = await CredentialTestHost.CreateAsync(kind, o => o.Throttle.LoginBanThreshold = 5);
        for (var i = 1; i <= 5; i++)
        {
            var (failed, _) = await host.LoginAsync(i % 2 == 0 ? "alice" : "alice@example.com", "guess" + i, CredentialTestHost.Context("203.0.113." + i));
            failed.Status.Should().Be(AuthenticationStatus.InvalidCredentials);
        }

        host.ThrottleLog.Entries.Should().Contain(e => e.Level == LogLevel.Warning && e.Id.Id == 1112
            && e.Text.Contains("'alice'", StringComparison.Ordinal) && e.Text.Contains("5 failures from 5 addresses", StringComparison.Ordinal));

        // A stranger's address that failed: refused without a check, as before.
        (await host.LoginAsync("alice", "alice-pw", CredentialTestHost.Context("203.0.113.1"))).Result.Status.Should().Be(AuthenticationStatus.Throttled);

        // The owner's address, clean: in, after the longest delay.
        var (owner, waited) = await host.LoginAsync("alice", "alice-pw", CredentialTestHost.Context("198.51.100.7"));
        owner.Succeeded.Should().BeTrue();
        waited.Should().Be(TimeSpan.FromSeconds(15));
        host.PasswordLog.Entries.Should().Contain(e => e.Level == LogLevel.Warning && e.Id.Id == 1108 && e.Text.Contains("198.51.100.7", StringComparison.Ordinal));

        // A success clears the login's counters, not its ban: another clean address guessing wrong is answered as blocked.
        var (guess, _) = await host.LoginAsync("alice", "guess-again", CredentialTestHost.Context("198.51.100.8"));
        guess.Status.Should().Be(AuthenticationStatus.Throttled);
        guess.CountsAsFailure.Should().BeTrue();

        // That address now has a failure of its own, so even the right password is refused from it.
        (await host.LoginAsync("alice", "alice-pw", CredentialTestHost.Context("198.51.100.8"))).Result.Status.Should().Be(AuthenticationStatus.Throttled);
        (await host.HistoryAsync("alice")).Select(r => r.Outcome).Should().EndWith([LoginOutcome.Succeeded, LoginOutcome.Failed, LoginOutcome.Throttled]);
    }

    [Fact]
    public async Task Scram_from_a_clean_address_gets_in_too()
    {
        await using var host = await CredentialTestHost.CreateAsync(DirectoryKind.InMemory, o => o.Throttle.LoginBanThreshold = 2);
        await host.LoginAsync("alice", "guess1", CredentialTestHost.Context("203.0.113.1"));
        await host.LoginAsync("alice", "guess2", CredentialTestHost.Context("203.0.113.2"));

        var client = new ScramClient("alice", "alice-pw");
        var (result, _) = await host.RunAsync(host.Sasl.AuthenticateAsync(
            "SCRAM-SHA-256", System.Text.Encoding.ASCII.GetBytes(ScriptedChannel.B64(client.ClientFirst)), new ScriptedChannel(client.Respond),
            CredentialTestHost.Context("198.51.100.7"), host.Ct));
        result.Succeeded.Should().BeTrue();

        var wrong = new ScramClient("alice", "nope");
        var (refused, _) = await host.RunAsync(host.Sasl.AuthenticateAsync(
            "SCRAM-SHA-256", System.Text.Encoding.ASCII.GetBytes(ScriptedChannel.B64(wrong.ClientFirst)), new ScriptedChannel(wrong.Respond),
            CredentialTestHost.Context("198.51.100.9"), host.Ct));
        refused.Status.Should().Be(AuthenticationStatus.Throttled);
    }

    private AuthenticationThrottle Throttle(Action<AuthenticationThrottleOptions> configure)
    {
        var options = new AuthenticationOptions();
        configure(options.Throttle);
        return new AuthenticationThrottle(Options.Create(options), _time);
    }
}
