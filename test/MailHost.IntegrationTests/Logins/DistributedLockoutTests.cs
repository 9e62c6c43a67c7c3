using System.Diagnostics.Metrics;
using MailHost.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace MailHost.IntegrationTests.Logins;

/// <summary>
/// Issue 17 item 13, over real sockets: one wrong password from each of 110 loopback addresses blocks bob for those
/// addresses, but the right password from another address still gets in; a wrong one from there is refused as before.
/// </summary>
public class DistributedLockoutTests
{
    [Theory]
    [InlineData(TestStoreKind.InMemory)]
    [InlineData(TestStoreKind.Sqlite)]
    public async Task Strangers_failing_from_110_addresses_do_not_lock_the_owner_out(TestStoreKind kind)
    {
        using var checks = new MeasurementCollector("mailhost.auth.blocked_login.checks");
        await using var server = await AuthenticationTestServer.StartAsync(kind, o =>
        {
            o.Throttle.Delays.Clear();
            o.Throttle.Delays.Add(TimeSpan.FromMilliseconds(10));
            o.Throttle.Delays.Add(TimeSpan.FromMilliseconds(200));
        });

        // 127.0.0.10 .. 127.0.0.119: one guess each, ten clients at a time; the default threshold is 100 a day.
        var sources = Enumerable.Range(10, 110).Select(i => "127.0.0." + i).ToList();
        var replies = new List<string>();
        foreach (var batch in sources.Chunk(10))
        {
            replies.AddRange(await Task.WhenAll(batch.Select((source, i) => server.LoginFromAsync(source, "bob", "guess-" + source))).WaitAsync(TimeSpan.FromSeconds(60)));
        }

        replies.Should().OnlyContain(r => r.StartsWith("a NO [AUTHENTICATIONFAILED]", StringComparison.Ordinal) || r.StartsWith("a NO [UNAVAILABLE]", StringComparison.Ordinal));
        replies.Count(r => r.StartsWith("a NO [UNAVAILABLE]", StringComparison.Ordinal)).Should().BeGreaterThanOrEqualTo(10, "the login is blocked from the 100th failure on");
        var warning = server.Server.Logs.Entries.Should().Contain(e => e.Level == LogLevel.Warning && e.EventId.Id == 1112).Which;
        warning.Message.Should().Contain("'bob'").And.Contain("100 failures from 64 addresses");

        // A stranger that guessed is refused even with the right password, as before.
        (await server.LoginFromAsync("127.0.0.10", "bob", AuthenticationTestServer.BobPassword)).Should().StartWith("a NO [UNAVAILABLE]");

        // The owner, from an address with no failures: in, after the longest delay.
        var started = TimeProvider.System.GetTimestamp();
        (await server.LoginFromAsync("127.0.0.200", "bob", AuthenticationTestServer.BobPassword)).Should().StartWith("a OK");
        TimeProvider.System.GetElapsedTime(started).Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(190), "the 200 ms delay was paid (a timer may fire a fraction of a millisecond early)");
        server.Server.Logs.Entries.Should().Contain(e => e.Level == LogLevel.Warning && e.EventId.Id == 1108 && e.Message.Contains("127.0.0.200", StringComparison.Ordinal));
        checks.Sum("outcome", "succeeded").Should().BeGreaterThanOrEqualTo(1);

        // A wrong password from a clean address is throttled as before; that address is then a stranger too.
        (await server.LoginFromAsync("127.0.0.201", "bob", "another-guess")).Should().StartWith("a NO [UNAVAILABLE]");
        (await server.LoginFromAsync("127.0.0.201", "bob", AuthenticationTestServer.BobPassword)).Should().StartWith("a NO [UNAVAILABLE]");

        // Other accounts are untouched, from anywhere that did not guess.
        (await server.LoginFromAsync("127.0.0.202", "alice", AuthenticationTestServer.AlicePassword)).Should().StartWith("a OK");
    }

    /// <summary>Sums the measurements of one MailHost instrument while it lives.</summary>
    private sealed class MeasurementCollector : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<(long Value, KeyValuePair<string, object?>[] Tags)> _measurements = [];

        public MeasurementCollector(string instrument)
        {
            _listener.InstrumentPublished = (i, listener) =>
            {
                if (i.Meter.Name == "MailHost" && i.Name == instrument)
                {
                    listener.EnableMeasurementEvents(i);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                lock (_measurements)
                {
                    _measurements.Add((value, tags.ToArray()));
                }
            });
            _listener.Start();
        }

        public long Sum(string tag, string value)
        {
            lock (_measurements)
            {
                return _measurements.Where(m => m.Tags.Any(t => t.Key == tag && Equals(t.Value, value))).Sum(m => m.Value);
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
