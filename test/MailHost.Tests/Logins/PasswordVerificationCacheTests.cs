using System.Text;
using MailHost.Accounts;
using MailHost.Hosting;
using MailHost.Logins;
using Microsoft.Extensions.Options;

namespace MailHost.Tests.Logins;

/// <summary>Issue 17 item 5: a successful password check remembered briefly, as a keyed hash, never a wrong one.</summary>
public class PasswordVerificationCacheTests
{
    [Theory]
    [InlineData(DirectoryKind.InMemory)]
    [InlineData(DirectoryKind.Sqlite)]
    public async Task A_second_login_within_the_lifetime_runs_no_PBKDF2(DirectoryKind kind)
    {
        await using var host = await CredentialTestHost.CreateAsync(kind);

        (await host.LoginAsync("alice", "alice-pw")).Result.Succeeded.Should().BeTrue();
        host.Passwords.PasswordDerivations.Should().Be(1);

        (await host.LoginAsync("alice@example.com", "alice-pw", CredentialTestHost.Context("192.0.2.11"))).Result.Succeeded.Should().BeTrue();
        host.Passwords.PasswordDerivations.Should().Be(1, "the cache answered");

        // The cache is the host's, not one authenticator's: SASL PLAIN finds the entry LOGIN made.
        var plain = Encoding.ASCII.GetBytes(ScriptedChannel.B64("\0alice\0alice-pw"));
        var (sasl, _) = await host.RunAsync(host.Sasl.AuthenticateAsync("PLAIN", plain, ScriptedChannel.Lines(), CredentialTestHost.Context(), host.Ct));
        sasl.Succeeded.Should().BeTrue();
        host.Sasl.PasswordDerivations.Should().Be(0);

        // Every login is still recorded.
        (await host.HistoryAsync("alice")).Select(r => r.Outcome).Should().Equal(LoginOutcome.Succeeded, LoginOutcome.Succeeded, LoginOutcome.Succeeded);
    }

    [Theory]
    [InlineData(DirectoryKind.InMemory)]
    [InlineData(DirectoryKind.Sqlite)]
    public async Task An_entry_is_unusable_once_the_password_changes(DirectoryKind kind)
    {
        await using var host = await CredentialTestHost.CreateAsync(kind);
        (await host.LoginAsync("alice", "alice-pw")).Result.Succeeded.Should().BeTrue();

        await host.SetPasswordAsync("alice", "new-pw");

        var (old, _) = await host.LoginAsync("alice", "alice-pw");
        old.Status.Should().Be(AuthenticationStatus.InvalidCredentials);
        host.Passwords.PasswordDerivations.Should().Be(2, "the old entry no longer matches the stored record");
        (await host.LoginAsync("alice", "new-pw", CredentialTestHost.Context("192.0.2.12"))).Result.Succeeded.Should().BeTrue();
    }

    [Theory]
    [InlineData(DirectoryKind.InMemory)]
    [InlineData(DirectoryKind.Sqlite)]
    public async Task A_wrong_password_is_never_cached(DirectoryKind kind)
    {
        await using var host = await CredentialTestHost.CreateAsync(kind, o => o.Throttle.Enabled = false);
        for (var i = 0; i < 3; i++)
        {
            (await host.LoginAsync("alice", "wrong")).Result.Status.Should().Be(AuthenticationStatus.InvalidCredentials);
        }

        (await host.LoginAsync("nobody", "wrong")).Result.Status.Should().Be(AuthenticationStatus.InvalidCredentials);
        host.Passwords.PasswordDerivations.Should().Be(4, "each wrong password paid the full check");
        host.Throttle.VerificationCache.Count.Should().Be(0);
    }

    [Fact]
    public async Task An_entry_expires_after_the_lifetime_and_a_zero_lifetime_turns_the_cache_off()
    {
        await using var host = await CredentialTestHost.CreateAsync(DirectoryKind.InMemory, o => o.VerificationCache.Lifetime = TimeSpan.FromMinutes(2));
        await host.LoginAsync("alice", "alice-pw");
        host.Time.Advance(TimeSpan.FromMinutes(1));
        await host.LoginAsync("alice", "alice-pw");
        host.Passwords.PasswordDerivations.Should().Be(1);
        host.Time.Advance(TimeSpan.FromMinutes(1));
        await host.LoginAsync("alice", "alice-pw");
        host.Passwords.PasswordDerivations.Should().Be(2, "not extended by use: two minutes after the first check");

        await using var off = await CredentialTestHost.CreateAsync(DirectoryKind.InMemory, o => o.VerificationCache.Lifetime = TimeSpan.Zero);
        await off.LoginAsync("alice", "alice-pw");
        await off.LoginAsync("alice", "alice-pw");
        off.Passwords.PasswordDerivations.Should().Be(2);
        off.Throttle.VerificationCache.Count.Should().Be(0);
    }

    [Fact]
    public void The_cache_is_bounded_and_keys_depend_on_account_record_and_password()
    {
        var cache = new PasswordVerificationCache(new VerificationCacheOptions { MaxEntries = 3 });
        var now = DateTimeOffset.UnixEpoch;
        var record = PasswordRecord.Create("pw", PasswordRecord.MinimumIterations);
        var other = PasswordRecord.Create("pw", PasswordRecord.MinimumIterations);
        var key = cache.KeyFor("alice", record, "pw");

        cache.KeyFor("alice", record, "pw").Should().Be(key);
        new[] { cache.KeyFor("bob", record, "pw"), cache.KeyFor("alice", other, "pw"), cache.KeyFor("alice", record, "pw2") }
            .Should().NotContain(key).And.OnlyHaveUniqueItems();
        new PasswordVerificationCache(new VerificationCacheOptions()).KeyFor("alice", record, "pw").Should().NotBe(key, "the key is per process");

        for (var i = 0; i < 10; i++)
        {
            cache.Add(cache.KeyFor("alice", record, "pw" + i), now);
        }

        cache.Count.Should().Be(3);
        cache.Contains(cache.KeyFor("alice", record, "pw9"), now).Should().BeTrue();
        cache.Contains(cache.KeyFor("alice", record, "pw0"), now).Should().BeFalse("the oldest went first");
    }

    [Theory]
    [InlineData("Lifetime", "-00:00:01", "MailHost:Auth:VerificationCache:Lifetime")]
    [InlineData("MaxEntries", "0", "MailHost:Auth:VerificationCache:MaxEntries")]
    public void Invalid_settings_name_their_key(string setting, string value, string key)
    {
        var options = new AuthenticationOptions();
        if (setting == "Lifetime")
        {
            options.VerificationCache.Lifetime = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
        }
        else
        {
            options.VerificationCache.MaxEntries = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
        }

        var create = () => new AuthenticationThrottle(Options.Create(options), TimeProvider.System);
        create.Should().Throw<MailHostConfigurationException>().Which.Key.Should().Be(key);
    }
}
