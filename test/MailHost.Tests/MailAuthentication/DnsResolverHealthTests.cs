using System.Net;
using System.Net.Sockets;
using MailHost.Dns;
using MailHost.MailAuthentication;
using MailHost.Protocols.MailAuthentication;
using MailHost.Tests.Logins;
using Microsoft.Extensions.Logging;

namespace MailHost.Tests.MailAuthentication;

public sealed class DnsResolverHealthTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly ListLogger<DnsResolverHealth> _log = new();

    [Fact]
    public void Lookups_fail_fast_only_after_the_threshold_of_silences_in_a_row()
    {
        var health = new DnsResolverHealth(3, TimeSpan.FromSeconds(30), _time, _log);
        health.Unanswered();
        health.Unanswered();
        health.TryBegin().Should().BeTrue();
        health.IsFailingFast.Should().BeFalse();

        health.Unanswered();

        health.IsFailingFast.Should().BeTrue();
        health.TryBegin().Should().BeFalse();
        _log.Entries.Should().ContainSingle(e => e.Id.Id == 5206 && e.Level == LogLevel.Warning).Which.Text.Should().Contain("3 mail authentication lookups");
    }

    [Fact]
    public void An_answer_between_silences_starts_the_count_again()
    {
        var health = new DnsResolverHealth(3, TimeSpan.FromSeconds(30), _time, _log);
        health.Unanswered();
        health.Unanswered();
        health.Answered();
        health.Unanswered();
        health.Unanswered();

        health.IsFailingFast.Should().BeFalse();
        _log.Entries.Should().BeEmpty();
    }

    [Fact]
    public void One_lookup_per_interval_probes_the_resolver_and_its_answer_ends_the_fast_failing()
    {
        var health = new DnsResolverHealth(1, TimeSpan.FromSeconds(30), _time, _log);
        health.Unanswered();
        _time.Advance(TimeSpan.FromSeconds(29));
        health.TryBegin().Should().BeFalse();

        _time.Advance(TimeSpan.FromSeconds(1));
        health.TryBegin().Should().BeTrue("the first lookup after the interval probes the resolver");
        health.TryBegin().Should().BeFalse("only one lookup probes while the probe is out");

        health.Unanswered();
        health.IsFailingFast.Should().BeTrue();
        _time.Advance(TimeSpan.FromSeconds(29));
        health.TryBegin().Should().BeFalse("a silent probe starts a new interval");

        _time.Advance(TimeSpan.FromSeconds(1));
        health.TryBegin().Should().BeTrue();
        health.Answered();

        health.IsFailingFast.Should().BeFalse();
        health.TryBegin().Should().BeTrue();
        _log.Entries.Select(e => e.Id.Id).Should().Equal(5206, 5207);
        _log.Entries[1].Text.Should().Contain("answers again");
    }

    [Fact]
    public void A_threshold_of_zero_never_fails_fast()
    {
        var health = new DnsResolverHealth(0, TimeSpan.FromSeconds(30), _time, _log);
        for (var i = 0; i < 100; i++)
        {
            health.Unanswered();
        }

        health.IsFailingFast.Should().BeFalse();
        health.TryBegin().Should().BeTrue();
    }

    [Fact]
    public async Task A_silent_resolver_stops_costing_messages_lookups_and_is_used_again_once_it_answers()
    {
        var resolver = new SwitchableResolver();
        var options = new MailAuthenticationOptions
        {
            DnsTimeout = TimeSpan.FromMilliseconds(50),
            TimeBudget = TimeSpan.FromSeconds(30),
            DnsFailFastAfter = 2,
            DnsFailFastProbeInterval = TimeSpan.FromMilliseconds(300),
        };
        var authenticator = new MailAuthenticator(resolver, options, MailAuthenticatorFixture.Hostname, TimeProvider.System, PublicSuffixList.Fallback, () => 0);

        // The first message's two lookups (SPF, DMARC) each wait out their timeout: two in a row unanswered.
        var first = await AuthenticateAsync(authenticator);
        first.Spf.Result.Should().Be(SpfResult.TempError);
        authenticator.IsFailingFast.Should().BeTrue();

        // The next message asks the resolver nothing, and still gets its header with temperror results.
        var asked = resolver.Calls;
        var second = await AuthenticateAsync(authenticator);
        resolver.Calls.Should().Be(asked);
        second.Spf.Result.Should().Be(SpfResult.TempError);
        second.Dmarc.Result.Should().Be(DmarcResult.TempError);
        second.HeaderField.Should().Contain("spf=temperror");

        // Once the resolver answers, the first lookup after the interval finds it and lookups go to it again.
        resolver.Silent = false;
        await Task.Delay(options.DnsFailFastProbeInterval + TimeSpan.FromMilliseconds(100));
        var third = await AuthenticateAsync(authenticator);
        authenticator.IsFailingFast.Should().BeFalse();
        third.Spf.Result.Should().Be(SpfResult.None, "the resolver answered that the domain publishes no SPF record");
        resolver.Calls.Should().BeGreaterThan(asked + 1, "lookups after the probe went to the resolver too");
    }

    private static async Task<MailAuthenticationResult> AuthenticateAsync(MailAuthenticator authenticator)
    {
        using var stream = new MemoryStream("From: a@example.org\r\nSubject: hi\r\n\r\nhi\r\n"u8.ToArray());
        return await authenticator.AuthenticateAsync(MailAuthenticatorFixture.Request(), stream, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
    }

    /// <summary>Never answers while <see cref="Silent"/>; afterwards no name has records.</summary>
    private sealed class SwitchableResolver : IDnsResolver
    {
        private int _calls;

        public volatile bool Silent = true;

        public int Calls => Volatile.Read(ref _calls);

        public ValueTask<DnsLookup<DnsMxRecord>> ResolveMxAsync(string domain, CancellationToken cancellationToken) => AnswerAsync<DnsMxRecord>(cancellationToken);

        public ValueTask<DnsLookup<IPAddress>> ResolveAddressesAsync(string host, CancellationToken cancellationToken) => AnswerAsync<IPAddress>(cancellationToken);

        public ValueTask<DnsLookup<string>> ResolveTxtAsync(string name, CancellationToken cancellationToken) => AnswerAsync<string>(cancellationToken);

        public ValueTask<DnsLookup<IPAddress>> ResolveAddressesAsync(string host, AddressFamily family, CancellationToken cancellationToken) => AnswerAsync<IPAddress>(cancellationToken);

        private async ValueTask<DnsLookup<T>> AnswerAsync<T>(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            if (Silent)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return DnsLookup<T>.Without(DnsLookupStatus.NoRecords);
        }
    }
}
