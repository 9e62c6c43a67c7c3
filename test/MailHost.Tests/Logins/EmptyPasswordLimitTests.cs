using System.Net;
using MailHost.Accounts;
using MailHost.Logins;

namespace MailHost.Tests.Logins;

/// <summary>Issue 17 item 11: empty passwords stay harmless for broken clients but are limited and recorded sparingly.</summary>
public class EmptyPasswordLimitTests
{
    [Theory]
    [InlineData(DirectoryKind.InMemory)]
    [InlineData(DirectoryKind.Sqlite)]
    public async Task An_empty_first_password_then_the_right_one_still_works_and_is_recorded(DirectoryKind kind)
    {
        await using var host = await CredentialTestHost.CreateAsync(kind);
        var (empty, waited) = await host.LoginAsync("bob", "");
        empty.Status.Should().Be(AuthenticationStatus.EmptyPassword);
        empty.CountsAsFailure.Should().BeFalse();
        waited.Should().Be(TimeSpan.Zero);

        (await host.LoginAsync("bob", "bob-pw")).Result.Succeeded.Should().BeTrue();
        (await host.HistoryAsync("bob")).Select(r => r.Outcome).Should().Equal(LoginOutcome.EmptyPassword, LoginOutcome.Succeeded);
    }

    [Fact]
    public async Task Empty_passwords_over_the_limit_are_refused_as_throttled_after_the_first_delay()
    {
        await using var host = await CredentialTestHost.CreateAsync(DirectoryKind.InMemory, o => o.Throttle.EmptyPasswordLimit = 3);
        for (var i = 0; i < 3; i++)
        {
            (await host.LoginAsync("bob", "")).Result.Status.Should().Be(AuthenticationStatus.EmptyPassword);
        }

        var (limited, waited) = await host.LoginAsync("bob", "");
        limited.Status.Should().Be(AuthenticationStatus.Throttled);
        limited.CountsAsFailure.Should().BeTrue("so a session closes a loop after MaxFailuresPerConnection");
        waited.Should().Be(TimeSpan.FromSeconds(2));

        // Never a failure of the throttle: no delay or ban earned for real logins.
        host.Throttle.GetDelay(IPAddress.Parse("192.0.2.10"), "bob").Should().Be(TimeSpan.Zero);
        (await host.LoginAsync("bob", "bob-pw")).Result.Succeeded.Should().BeTrue();

        // The window passes and empty passwords are answered as before.
        host.Time.Advance(host.Options.Throttle.EmptyPasswordWindow);
        (await host.LoginAsync("bob", "")).Result.Status.Should().Be(AuthenticationStatus.EmptyPassword);
    }

    [Fact]
    public async Task The_limit_counts_per_login_across_addresses_and_per_address_across_logins()
    {
        await using var host = await CredentialTestHost.CreateAsync(DirectoryKind.InMemory, o => o.Throttle.EmptyPasswordLimit = 3);
        for (var i = 1; i <= 3; i++)
        {
            (await host.LoginAsync("bob", "", CredentialTestHost.Context("198.51.100." + i))).Result.Status.Should().Be(AuthenticationStatus.EmptyPassword);
        }

        (await host.LoginAsync("bob@example.com", "", CredentialTestHost.Context("198.51.100.4"))).Result.Status.Should().Be(AuthenticationStatus.Throttled);
        (await host.LoginAsync("alice", "", CredentialTestHost.Context("198.51.100.4"))).Result.Status.Should().Be(AuthenticationStatus.EmptyPassword);

        for (var i = 0; i < 3; i++)
        {
            await host.LoginAsync("nobody" + i, "", CredentialTestHost.Context("203.0.113.1"));
        }

        (await host.LoginAsync("alice", "", CredentialTestHost.Context("203.0.113.1"))).Result.Status.Should().Be(AuthenticationStatus.Throttled);
    }

    [Theory]
    [InlineData(DirectoryKind.InMemory)]
    [InlineData(DirectoryKind.Sqlite)]
    public async Task A_loop_of_empty_passwords_writes_a_few_records_and_keeps_the_real_history(DirectoryKind kind)
    {
        await using var host = await CredentialTestHost.CreateAsync(kind, o => o.Throttle.EmptyPasswordLimit = 0);
        (await host.LoginAsync("bob", "bob-pw")).Result.Succeeded.Should().BeTrue();
        for (var i = 0; i < 300; i++)
        {
            // From a handful of addresses, as a botnet would; every one is refused at once.
            (await host.LoginAsync("bob", "", CredentialTestHost.Context("198.51.100." + (i % 30)))).Result.Status.Should().Be(AuthenticationStatus.EmptyPassword);
        }

        var history = await host.HistoryAsync("bob");
        history[0].Outcome.Should().Be(LoginOutcome.Succeeded);
        history.Count(r => r.Outcome == LoginOutcome.EmptyPassword).Should().Be(LoginRecord.MaxUncheckedPerAccount);
    }

    [Theory]
    [InlineData(DirectoryKind.InMemory)]
    [InlineData(DirectoryKind.Sqlite)]
    public async Task Unchecked_refusals_take_at_most_ten_places_of_the_stored_history(DirectoryKind kind)
    {
        await using var host = await CredentialTestHost.CreateAsync(kind);
        LoginRecord Record(LoginOutcome outcome, int n) => new(
            host.Time.GetUtcNow().AddSeconds(n), "bob", "bob", "IMAP", "LOGIN", new IPEndPoint(IPAddress.Loopback, n + 1), true, null, outcome);

        await host.Directory.RecordLoginAsync(Record(LoginOutcome.Succeeded, 0), host.Ct);
        await host.Directory.RecordLoginAsync(Record(LoginOutcome.Failed, 1), host.Ct);
        for (var i = 0; i < 40; i++)
        {
            await host.Directory.RecordLoginAsync(Record(i % 2 == 0 ? LoginOutcome.EmptyPassword : LoginOutcome.Throttled, 2 + i), host.Ct);
        }

        var history = await host.HistoryAsync("bob");
        history.Select(r => r.Outcome).Take(2).Should().Equal(LoginOutcome.Succeeded, LoginOutcome.Failed);
        history.Skip(2).Should().HaveCount(LoginRecord.MaxUncheckedPerAccount).And.OnlyContain(r => r.IsUnchecked);
        history[^1].RemoteEndPoint!.Port.Should().Be(42, "the newest are kept");
    }

    [Fact]
    public void The_recorder_keeps_one_per_login_and_address_and_ten_per_login_or_address_per_interval()
    {
        var start = DateTimeOffset.UnixEpoch;
        var recorder = new UncheckedAttemptRecorder(TimeSpan.FromMinutes(15), 1000);

        recorder.ShouldRecord("bob", "a:1", start).Should().BeTrue();
        recorder.ShouldRecord("bob", "a:1", start.AddMinutes(14)).Should().BeFalse();
        recorder.ShouldRecord("bob", "a:1", start.AddMinutes(15)).Should().BeTrue();

        var fromMany = Enumerable.Range(2, 20).Count(i => recorder.ShouldRecord("alice", "a:" + i, start));
        fromMany.Should().Be(LoginRecord.MaxUncheckedPerAccount);
        var forMany = Enumerable.Range(0, 20).Count(i => recorder.ShouldRecord("user" + i, "a:99", start));
        forMany.Should().Be(LoginRecord.MaxUncheckedPerAccount);

        new UncheckedAttemptRecorder(TimeSpan.Zero, 1000).ShouldRecord("bob", "a:1", start).Should().BeTrue();
        var full = new UncheckedAttemptRecorder(TimeSpan.FromMinutes(15), 3);
        full.ShouldRecord("bob", "a:1", start).Should().BeTrue();
        full.ShouldRecord("carol", "a:2", start).Should().BeFalse("a full table records nothing rather than forget");
    }
}
