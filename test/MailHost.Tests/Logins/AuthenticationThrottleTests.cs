using System.Net;
using MailHost.Logins;
using Microsoft.Extensions.Options;

namespace MailHost.Tests.Logins;

public class AuthenticationThrottleTests
{
    private static readonly IPAddress Client = IPAddress.Parse("192.0.2.1");
    private static readonly TimeSpan[] Schedule = [TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(15)];

    private readonly FakeTimeProvider _time = new();

    private AuthenticationThrottle Create(Action<AuthenticationThrottleOptions>? configure = null)
    {
        var options = new AuthenticationOptions();
        configure?.Invoke(options.Throttle);
        return new AuthenticationThrottle(Options.Create(options), _time);
    }

    [Fact]
    public void Failures_from_one_address_escalate_2_4_8_15_and_cap()
    {
        var throttle = Create();
        var delays = Enumerable.Range(0, 6).Select(i => throttle.RecordFailure(Client, "user" + i, "guess" + i)).ToList();
        delays.Should().Equal(Schedule[0], Schedule[1], Schedule[2], Schedule[3], Schedule[3], Schedule[3]);
        throttle.GetDelay(Client, "someone-else").Should().Be(TimeSpan.FromSeconds(15));
        throttle.GetDelay(IPAddress.Parse("192.0.2.2"), "someone-else").Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void Failures_for_one_login_escalate_across_addresses()
    {
        var throttle = Create();
        var delays = Enumerable.Range(1, 4)
            .Select(i => throttle.RecordFailure(IPAddress.Parse("198.51.100." + i), "alice", "guess" + i))
            .ToList();
        delays.Should().Equal(Schedule);
        throttle.GetDelay(IPAddress.Parse("198.51.100.99"), "alice").Should().Be(TimeSpan.FromSeconds(15));
        throttle.GetDelay(IPAddress.Parse("198.51.100.99"), "bob").Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void Repeating_the_same_wrong_password_does_not_escalate()
    {
        var throttle = Create();
        var delays = Enumerable.Range(0, 10).Select(_ => throttle.RecordFailure(Client, "alice", "old-password")).ToList();
        delays.Should().OnlyContain(d => d == Schedule[0]);

        // A different password is a new guess and escalates.
        throttle.RecordFailure(Client, "alice", "another").Should().Be(Schedule[1]);
    }

    [Fact]
    public void Same_password_for_different_logins_escalates_per_address()
    {
        var throttle = Create();
        throttle.RecordFailure(Client, "alice", "123456").Should().Be(Schedule[0]);
        throttle.RecordFailure(Client, "bob", "123456").Should().Be(Schedule[1]);
    }

    [Fact]
    public void Attempts_without_a_password_always_escalate()
    {
        var throttle = Create();
        throttle.RecordFailure(Client, "alice", null);
        throttle.RecordFailure(Client, "alice", null).Should().Be(Schedule[1]);
    }

    [Fact]
    public void Address_is_blocked_at_the_daily_threshold_and_released_after_the_ban()
    {
        var throttle = Create(o => o.AddressBanThreshold = 5);
        for (var i = 0; i < 4; i++)
        {
            throttle.RecordFailure(Client, "user" + i, "pw" + i);
        }

        throttle.IsBlocked(Client, "fresh").Should().BeFalse();
        throttle.RecordFailure(Client, "user4", "pw4");
        throttle.IsBlocked(Client, "fresh").Should().BeTrue();
        throttle.IsBlocked(IPAddress.Parse("192.0.2.2"), "fresh").Should().BeFalse();

        _time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));
        throttle.IsBlocked(Client, "fresh").Should().BeFalse();
    }

    [Fact]
    public void Login_is_blocked_at_its_threshold_from_every_address()
    {
        var throttle = Create(o => o.LoginBanThreshold = 3);
        for (var i = 1; i <= 3; i++)
        {
            throttle.RecordFailure(IPAddress.Parse("203.0.113." + i), "alice", "pw" + i);
        }

        throttle.IsBlocked(IPAddress.Parse("203.0.113.200"), "alice").Should().BeTrue();
        throttle.IsBlocked(IPAddress.Parse("203.0.113.200"), "bob").Should().BeFalse();
    }

    [Fact]
    public void Repeated_password_does_not_count_towards_the_ban()
    {
        var throttle = Create(o => o.LoginBanThreshold = 3);
        for (var i = 0; i < 20; i++)
        {
            throttle.RecordFailure(Client, "alice", "stale");
        }

        throttle.IsBlocked(Client, "alice").Should().BeFalse();
    }

    [Fact]
    public void Success_resets_the_login_but_not_the_address()
    {
        var throttle = Create();
        throttle.RecordFailure(Client, "alice", "a");
        throttle.RecordFailure(Client, "alice", "b");
        throttle.RecordSuccess("alice");

        throttle.GetDelay(IPAddress.Parse("192.0.2.77"), "alice").Should().Be(TimeSpan.Zero);
        throttle.GetDelay(Client, "bob").Should().Be(Schedule[1]);
        throttle.RecordFailure(IPAddress.Parse("192.0.2.77"), "alice", "c").Should().Be(Schedule[0]);
    }

    [Fact]
    public void Failures_expire_after_the_window()
    {
        var throttle = Create();
        throttle.RecordFailure(Client, "alice", "a");
        throttle.RecordFailure(Client, "alice", "b");
        _time.Advance(TimeSpan.FromMinutes(15));
        throttle.GetDelay(Client, "alice").Should().Be(TimeSpan.Zero);
        throttle.RecordFailure(Client, "alice", "c").Should().Be(Schedule[0]);
    }

    [Fact]
    public void Ipv6_addresses_are_grouped_per_64()
    {
        var throttle = Create();
        throttle.RecordFailure(IPAddress.Parse("2001:db8:1:2::1"), "u1", "p1");
        throttle.RecordFailure(IPAddress.Parse("2001:db8:1:2:ffff::9"), "u2", "p2").Should().Be(Schedule[1]);
        throttle.GetDelay(IPAddress.Parse("2001:db8:1:3::1"), "u3").Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void Ipv4_mapped_ipv6_counts_as_the_ipv4_address()
    {
        var throttle = Create();
        throttle.RecordFailure(IPAddress.Parse("::ffff:192.0.2.1"), "u1", "p1");
        throttle.GetDelay(Client, "u2").Should().Be(Schedule[0]);
    }

    [Fact]
    public void Exempt_networks_are_not_counted_by_address()
    {
        var throttle = Create(o => o.ExemptNetworks.Add("10.0.0.0/8"));
        for (var i = 0; i < 5; i++)
        {
            throttle.RecordFailure(IPAddress.Parse("10.1.2.3"), "user" + i, "pw");
        }

        throttle.GetDelay(IPAddress.Parse("10.1.2.3"), "fresh").Should().Be(TimeSpan.Zero);
        throttle.GetDelay(IPAddress.Parse("10.1.2.3"), "user1").Should().Be(Schedule[0]);
    }

    [Fact]
    public void Invalid_exempt_network_names_the_setting()
    {
        var act = () => Create(o => o.ExemptNetworks.Add("10.0.0.0/99"));
        act.Should().Throw<InvalidOperationException>().WithMessage("*ExemptNetworks*");
    }

    [Fact]
    public void Memory_is_bounded_and_blocked_entries_survive_eviction()
    {
        var throttle = Create(o =>
        {
            o.MaxEntries = 100;
            o.AddressBanThreshold = 1;
            o.LoginBanThreshold = 0;
        });
        var banned = IPAddress.Parse("198.51.100.1");
        throttle.RecordFailure(banned, null, "x");
        for (var i = 0; i < 1000; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(1));
            throttle.RecordFailure(null, "login" + i, "x");
        }

        throttle.EntryCount.Should().BeLessThanOrEqualTo(100);
        throttle.IsBlocked(banned, null).Should().BeTrue();
    }

    [Fact]
    public void Disabled_throttle_never_delays_or_blocks()
    {
        var throttle = Create(o =>
        {
            o.Enabled = false;
            o.AddressBanThreshold = 1;
        });
        throttle.RecordFailure(Client, "alice", "x").Should().Be(TimeSpan.Zero);
        throttle.IsBlocked(Client, "alice").Should().BeFalse();
    }

    [Fact]
    public async Task Concurrent_failures_are_all_counted()
    {
        var throttle = Create(o => o.AddressBanThreshold = 0);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 50; i++)
            {
                throttle.RecordFailure(Client, $"u{t}-{i}", "p");
            }
        }))).WaitAsync(TimeSpan.FromSeconds(10));

        throttle.EntryCount.Should().Be(401);
        throttle.GetDelay(Client, null).Should().Be(TimeSpan.FromSeconds(15));
    }
}
