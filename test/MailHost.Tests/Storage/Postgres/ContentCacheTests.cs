using MailHost.Storage.Postgres.Mail;

namespace MailHost.Tests.Storage.Postgres;

/// <summary>The in-memory bytes of small messages a PostgreSQL host keeps: bounded, least recently used out first.</summary>
public sealed class ContentCacheTests
{
    [Fact]
    public void Kept_bytes_are_found_by_address_and_counted()
    {
        var cache = new ContentCache(1024);
        cache.Add("a", [1, 2, 3]);

        cache.TryGet("a", out var bytes).Should().BeTrue();
        bytes.Should().Equal(1, 2, 3);
        cache.TryGet("b", out _).Should().BeFalse();
        (cache.Hits, cache.Misses, cache.Bytes).Should().Be((1L, 1L, 3L));
    }

    [Fact]
    public void The_least_recently_used_go_first_when_the_budget_is_full()
    {
        var cache = new ContentCache(300);
        cache.Add("a", new byte[100]);
        cache.Add("b", new byte[100]);
        cache.Add("c", new byte[100]);
        cache.TryGet("a", out _).Should().BeTrue("a read makes a the most recently used");

        cache.Add("d", new byte[100]);

        cache.TryGet("b", out _).Should().BeFalse("b was the least recently used");
        cache.TryGet("a", out _).Should().BeTrue();
        cache.TryGet("c", out _).Should().BeTrue();
        cache.TryGet("d", out _).Should().BeTrue();
        cache.Bytes.Should().Be(300);
    }

    [Fact]
    public void Adding_an_address_again_keeps_one_copy()
    {
        var cache = new ContentCache(1000);
        cache.Add("a", new byte[100]);
        cache.Add("a", new byte[100]);

        cache.Bytes.Should().Be(100);
    }

    [Fact]
    public void Nothing_over_the_read_ahead_size_or_the_budget_is_kept()
    {
        var cache = new ContentCache(ContentReadAhead.MaxMessageSize * 4);
        cache.Add("large", new byte[ContentReadAhead.MaxMessageSize + 1]);
        cache.TryGet("large", out _).Should().BeFalse("a large message is read chunk by chunk, never kept whole");

        var none = new ContentCache(0);
        none.Add("a", [1]);
        none.TryGet("a", out _).Should().BeFalse("a budget of zero keeps nothing");
        none.Bytes.Should().Be(0);
    }
}
