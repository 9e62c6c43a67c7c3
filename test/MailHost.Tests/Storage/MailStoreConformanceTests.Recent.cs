using MailHost.TestSupport;

namespace MailHost.Tests.Storage;

/// <summary>\Recent (RFC 3501 §2.3.2): one atomic claim per mailbox, kept by the store.</summary>
public abstract partial class MailStoreConformanceTests
{
    [StoreFact]
    public async Task Recent_is_claimed_by_exactly_one_of_many_concurrent_read_write_views()
    {
        var store = await CreateStoreAsync();
        var account = await OpenAsync(store);
        for (var i = 0; i < 5; i++)
        {
            await AppendAsync(account, "INBOX", TestMessages.Simple($"m{i}"));
        }

        var views = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => SelectAsync(account, "INBOX")));
        var claims = await Task.WhenAll(views.Select(v => v.ClaimRecentAsync(default).AsTask().WaitAsync(Timeout)));

        claims.Should().OnlyContain(c => c.IsSuccess);
        var all = claims.SelectMany(c => c.Value).ToList();
        all.Should().BeEquivalentTo(new uint[] { 1, 2, 3, 4, 5 }, "every message is recent in exactly one session");
        claims.Count(c => c.Value.Count > 0).Should().Be(1, "the first claim takes the whole snapshot");
        (await account.GetStatusAsync("INBOX", default)).Value.Recent.Should().Be(0);
    }

    [StoreFact]
    public async Task Recent_is_shown_by_a_read_only_view_without_claiming_and_counted_by_status()
    {
        var store = await CreateStoreAsync();
        var account = await OpenAsync(store);
        await AppendAsync(account, "INBOX", TestMessages.Simple("one"));
        await AppendAsync(account, "INBOX", TestMessages.Simple("two"));
        (await account.GetStatusAsync("INBOX", default)).Value.Recent.Should().Be(2);

        var examine = await SelectAsync(account, "INBOX", examine: true);
        (await examine.ClaimRecentAsync(default)).Value.Should().Equal(1u, 2u);
        (await examine.ClaimRecentAsync(default)).Value.Should().Equal([1u, 2u], "a read-only view claims nothing");
        (await account.GetStatusAsync("INBOX", default)).Value.Recent.Should().Be(2);

        var select = await SelectAsync(account, "INBOX");
        (await select.ClaimRecentAsync(default)).Value.Should().Equal(1u, 2u);
        (await select.ClaimRecentAsync(default)).Value.Should().BeEmpty("a claim is taken once");
        (await examine.ClaimRecentAsync(default)).Value.Should().BeEmpty();
        (await account.GetStatusAsync("INBOX", default)).Value.Recent.Should().Be(0);
    }

    [StoreFact]
    public async Task Recent_claims_new_arrivals_after_a_poll_and_survive_a_restart()
    {
        var store = await CreateStoreAsync();
        var account = await OpenAsync(store);
        await AppendAsync(account, "INBOX", TestMessages.Simple("one"));
        var first = await SelectAsync(account, "INBOX");
        (await first.ClaimRecentAsync(default)).Value.Should().Equal(1u);

        await AppendAsync(account, "INBOX", TestMessages.Simple("two"));
        var second = await SelectAsync(account, "INBOX");
        (await first.PollChangesAsync(default)).IsSuccess.Should().BeTrue();
        (await first.ClaimRecentAsync(default)).Value.Should().Equal([2u], "the first view to see the new message claims it");
        (await second.ClaimRecentAsync(default)).Value.Should().BeEmpty();
        await first.DisposeAsync();
        await second.DisposeAsync();
        await account.DisposeAsync();

        await AppendAsync(await OpenAsync(store), "Archive", TestMessages.Simple("three"));
        store = await ReopenAsync(store);
        account = await OpenAsync(store);
        (await account.GetStatusAsync("INBOX", default)).Value.Recent.Should().Be(0);
        (await account.GetStatusAsync("Archive", default)).Value.Recent.Should().Be(1);
        var again = await SelectAsync(account, "INBOX");
        (await again.ClaimRecentAsync(default)).Value.Should().BeEmpty();
    }
}
