using System.Net;
using MailHost.Filtering;
using MailHost.Filtering.DnsLists;
using MailHost.Tests.Logins;

namespace MailHost.Tests.Filtering.DnsLists;

public class DnsListCacheTests
{
    [Fact]
    public void Past_its_size_the_cache_drops_the_oldest_address_first()
    {
        var cache = new DnsListCache(new FakeTimeProvider(), TimeSpan.FromMinutes(10), capacity: 2);
        var a = IPAddress.Parse("192.0.2.1");
        var b = IPAddress.Parse("192.0.2.2");
        var c = IPAddress.Parse("192.0.2.3");

        cache.Add(a, InboundFilterVerdict.Accept);
        cache.Add(b, InboundFilterVerdict.Accept);
        cache.Add(a, InboundFilterVerdict.Accept);
        cache.Add(c, InboundFilterVerdict.Accept);

        cache.Count.Should().Be(2);
        cache.TryGet(b, out _).Should().BeFalse("b is the oldest once a was added again");
        cache.TryGet(a, out _).Should().BeTrue();
        cache.TryGet(c, out _).Should().BeTrue();
    }

    [Fact]
    public void Expired_entries_are_dropped_when_touched_or_when_newer_ones_arrive()
    {
        var time = new FakeTimeProvider();
        var cache = new DnsListCache(time, TimeSpan.FromMinutes(10), capacity: 100);
        cache.Add(IPAddress.Parse("192.0.2.1"), InboundFilterVerdict.Accept);
        cache.Add(IPAddress.Parse("192.0.2.2"), InboundFilterVerdict.Accept);

        time.Advance(TimeSpan.FromMinutes(10));
        cache.Add(IPAddress.Parse("192.0.2.3"), InboundFilterVerdict.Accept);

        cache.Count.Should().Be(1);
    }
}
