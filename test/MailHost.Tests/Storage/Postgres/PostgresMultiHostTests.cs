using System.Diagnostics;
using MailHost.Storage;
using MailHost.Storage.Postgres.Mail;

using MailHost.TestSupport;

namespace MailHost.Tests.Storage.Postgres;

/// <summary>Several hosts on one database: two store instances, the only shared state PostgreSQL.</summary>
[Collection(StoreCollection.Name)]
public sealed class PostgresMultiHostTests : IRequiresPostgres, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private string _database = string.Empty;
    private PostgresMailStore? _a;
    private PostgresMailStore? _b;

    private PostgresMailStore A => _a!;

    private PostgresMailStore B => _b!;

    public async Task InitializeAsync()
    {
        if (PostgresTestServer.SkipReason is not null)
        {
            return;
        }

        _database = await PostgresTestServer.CreateDatabaseAsync();
        _a = await PostgresMailStore.OpenAsync(new PostgresMailStoreOptions { ConnectionString = _database, InstanceId = "host-a" }, null, null, default);
        _b = await PostgresMailStore.OpenAsync(new PostgresMailStoreOptions { ConnectionString = _database, InstanceId = "host-b" }, null, null, default);
    }

    public async Task DisposeAsync()
    {
        if (_a is not null)
        {
            await _a.DisposeAsync();
        }

        if (_b is not null)
        {
            await _b.DisposeAsync();
        }

        if (_database.Length > 0)
        {
            await PostgresTestServer.DropDatabaseAsync(_database);
        }
    }

    /// <summary>
    /// Waits until <paramref name="host"/>'s change feed has carried every change committed so far to the mailbox of
    /// <paramref name="view"/>: until then, a view that found itself current may answer from what it knows
    /// (<see cref="PostgresChangeFeed.IsSilent"/>).
    /// </summary>
    private async Task FeedCaughtUpAsync(PostgresMailStore host, PostgresMailboxView view)
    {
        await using var connection = new Npgsql.NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT highest_modseq FROM mailboxes WHERE id = $1", connection) { Parameters = { new() { Value = view.MailboxId } } };
        var highest = (ulong)(long)(await command.ExecuteScalarAsync())!;
        var deadline = DateTime.UtcNow + Timeout;
        while (host.Feed.LatestAnnounced(view.MailboxId) < highest)
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the change feed carries every commit");
            await Task.Delay(5);
        }
    }

    [StoreFact]
    public async Task A_view_on_one_host_wakes_within_a_second_of_an_append_on_another()
    {
        var onA = (await A.OpenAccountAsync("alice", default)).Value;
        var onB = (await B.OpenAccountAsync("alice", default)).Value;
        await using var view = (await onB.OpenMailboxAsync("INBOX", examine: false, default)).Value;
        var waiting = view.WaitForChangesAsync(default).AsTask();
        await Task.Delay(200);
        waiting.IsCompleted.Should().BeFalse("nothing changed yet");

        var clock = Stopwatch.StartNew();
        var appended = (await onA.AppendAsync("INBOX", TestMessages.Stream(TestMessages.Simple("Across hosts")), AppendOptions.Default, default)).Value;
        var committed = clock.Elapsed;
        await waiting.WaitAsync(TimeSpan.FromSeconds(1));
        (clock.Elapsed - committed).Should().BeLessThan(TimeSpan.FromSeconds(1));

        var changes = (await view.PollChangesAsync(default)).Value;
        changes.Changes.Should().ContainSingle(c => c.Kind == MailboxChangeKind.Appended && c.Uid == appended.Uid);
        changes.Snapshot.Uids.Should().Equal(appended.Uid);
    }

    [StoreFact]
    public async Task Concurrent_writers_on_two_hosts_get_strictly_increasing_uids_in_commit_order()
    {
        const int WritersPerHost = 4;
        const int MessagesPerWriter = 15;
        var onA = (await A.OpenAccountAsync("alice", default)).Value;
        var onB = (await B.OpenAccountAsync("alice", default)).Value;

        // A watcher on B polls while the writers run: every UID it learns of must be above all it saw before, which
        // holds only if UIDs become visible in the order they were given out.
        await using var watcher = (await onB.OpenMailboxAsync("INBOX", examine: true, default)).Value;
        using var stop = new CancellationTokenSource();
        var seen = new List<uint>();
        var watching = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var change in (await watcher.PollChangesAsync(default)).Value.Changes.Where(c => c.Kind == MailboxChangeKind.Appended))
                {
                    if (seen.Count > 0)
                    {
                        change.Uid.Should().BeGreaterThan(seen[^1], "a UID became visible after a higher one");
                    }

                    seen.Add(change.Uid);
                }

                await Task.Delay(5);
            }
        });

        var writers = Enumerable.Range(0, WritersPerHost * 2).Select(w => Task.Run(async () =>
        {
            var account = w % 2 == 0 ? onA : onB;
            var uids = new List<uint>();
            for (var i = 0; i < MessagesPerWriter; i++)
            {
                var result = await account.AppendAsync("INBOX", TestMessages.Stream(TestMessages.Simple($"Writer {w} message {i}")), AppendOptions.Default, default);
                result.Error.Should().BeNull();
                uids.Add(result.Value.Uid);
            }

            return uids;
        })).ToList();
        var all = (await Task.WhenAll(writers).WaitAsync(Timeout)).SelectMany(u => u).ToList();
        await stop.CancelAsync();
        await watching.WaitAsync(Timeout);

        const int Total = WritersPerHost * 2 * MessagesPerWriter;
        all.Should().OnlyHaveUniqueItems().And.HaveCount(Total);
        foreach (var writer in writers)
        {
            writer.Result.Should().BeInAscendingOrder("one writer's appends commit one after another");
        }

        await using var view = (await onA.OpenMailboxAsync("INBOX", examine: true, default)).Value;
        view.Snapshot.Uids.Should().BeEquivalentTo(all).And.HaveCount(Total);
        view.Snapshot.UidNext.Should().Be(all.Max() + 1);
        var messages = new List<MessageData>();
        await foreach (var message in view.FetchAsync(UidSet.All, FetchOptions.Default, default))
        {
            messages.Add(message);
        }

        messages.Select(m => m.ModSeq).Should().BeInAscendingOrder("MODSEQ rises with the UID: both are given out under the mailbox row's lock")
            .And.OnlyHaveUniqueItems();
        (await watcher.PollChangesAsync(default)).Value.Changes.Where(c => c.Kind == MailboxChangeKind.Appended).Select(c => c.Uid)
            .Concat(seen).Should().BeEquivalentTo(all, "the watcher missed nothing");
    }

    [StoreFact]
    public async Task A_flag_change_and_an_expunge_on_one_host_reach_a_view_on_the_other()
    {
        var onA = (await A.OpenAccountAsync("alice", default)).Value;
        var onB = (await B.OpenAccountAsync("alice", default)).Value;
        var first = (await onA.AppendAsync("INBOX", TestMessages.Stream(TestMessages.Simple("First")), AppendOptions.Default, default)).Value;
        var second = (await onA.AppendAsync("INBOX", TestMessages.Stream(TestMessages.Simple("Second")), AppendOptions.Default, default)).Value;
        await using var viewA = (await onA.OpenMailboxAsync("INBOX", examine: false, default)).Value;
        await using var viewB = (await onB.OpenMailboxAsync("INBOX", examine: false, default)).Value;

        var flagged = viewB.WaitForChangesAsync(default).AsTask();
        (await viewA.StoreFlagsAsync(UidSet.Of(first.Uid), FlagOperation.Add, MessageFlags.Flagged | MessageFlags.Deleted, ["$Important"], null, default)).Error.Should().BeNull();
        await flagged.WaitAsync(TimeSpan.FromSeconds(1));
        var change = (await viewB.PollChangesAsync(default)).Value.Changes.Should().ContainSingle().Subject;
        change.Kind.Should().Be(MailboxChangeKind.FlagsChanged);
        change.Uid.Should().Be(first.Uid);
        change.Flags.Should().Be(MessageFlags.Flagged | MessageFlags.Deleted);
        change.Keywords.Should().Equal("$Important");
        viewB.Snapshot.Keywords.Should().Contain("$Important");

        var expunged = viewB.WaitForChangesAsync(default).AsTask();
        (await viewA.ExpungeAsync(null, default)).Value.Expunged.Should().Equal(first.Uid);
        await expunged.WaitAsync(TimeSpan.FromSeconds(1));
        var changes = (await viewB.PollChangesAsync(default)).Value;
        changes.Changes.Should().ContainSingle(c => c.Kind == MailboxChangeKind.Expunged && c.Uid == first.Uid);
        changes.Snapshot.Uids.Should().Equal(second.Uid);
        (await viewB.GetVanishedAsync(0, default)).Value.Should().Equal(first.Uid);
    }

    [StoreFact]
    public async Task A_views_own_STORE_and_EXPUNGE_move_it_forward_and_later_polls_still_see_the_other_host()
    {
        var onA = (await A.OpenAccountAsync("alice", default)).Value;
        var onB = (await B.OpenAccountAsync("alice", default)).Value;
        var first = (await onB.AppendAsync("INBOX", TestMessages.Stream(TestMessages.Simple("one")), AppendOptions.Default, default)).Value.Uid;
        var second = (await onB.AppendAsync("INBOX", TestMessages.Stream(TestMessages.Simple("two")), AppendOptions.Default, default)).Value.Uid;
        await using var view = (await onA.OpenMailboxAsync("INBOX", examine: false, default)).Value;
        view.Snapshot.Unseen.Should().Be(2);

        // The view's own STORE was the only change: its poll reports nothing, and the snapshot follows the write.
        var stored = (await view.StoreFlagsAsync(UidSet.Of(first), FlagOperation.Add, MessageFlags.Seen, [], null, default)).Value;
        var own = (await view.PollChangesAsync(default)).Value;
        own.Changes.Should().BeEmpty();
        own.Snapshot.HighestModSeq.Should().Be(stored.HighestModSeq);
        own.Snapshot.Unseen.Should().Be(1);
        own.Snapshot.FirstUnseenUid.Should().Be(second);

        // Another host's append is seen by the first poll after the change feed carried it to this host.
        var third = (await onB.AppendAsync("INBOX", TestMessages.Stream(TestMessages.Simple("three")), AppendOptions.Default, default)).Value.Uid;
        await FeedCaughtUpAsync(A, (PostgresMailboxView)view);
        var polled = (await view.PollChangesAsync(default)).Value;
        polled.Changes.Should().ContainSingle(c => c.Kind == MailboxChangeKind.Appended && c.Uid == third);
        polled.Snapshot.Unseen.Should().Be(2);

        // The view's own expunge of an unseen message: the unseen count and the first unseen UID follow it.
        await view.StoreFlagsAsync(UidSet.Of(second), FlagOperation.Add, MessageFlags.Deleted, [], null, default);
        var expunged = (await view.ExpungeAsync(null, default)).Value;
        expunged.Expunged.Should().Equal(second);
        var after = (await view.PollChangesAsync(default)).Value;
        after.Changes.Should().BeEmpty();
        after.Snapshot.Uids.Should().Equal(first, third);
        after.Snapshot.Unseen.Should().Be(1);
        after.Snapshot.FirstUnseenUid.Should().Be(third);

        // A flag change on the other host right after the view's own write reaches the view by a later poll.
        await view.StoreFlagsAsync(UidSet.Of(first), FlagOperation.Add, MessageFlags.Flagged, [], null, default);
        await using (var other = (await onB.OpenMailboxAsync("INBOX", examine: false, default)).Value)
        {
            await other.StoreFlagsAsync(UidSet.Of(third), FlagOperation.Add, MessageFlags.Answered, [], null, default);
        }

        var changes = new List<MailboxChange>();
        var deadline = DateTime.UtcNow + Timeout;
        while (!changes.Any(c => c.Uid == third) && DateTime.UtcNow < deadline)
        {
            changes.AddRange((await view.PollChangesAsync(default)).Value.Changes);
            await Task.Delay(10);
        }

        changes.Should().ContainSingle(c => c.Kind == MailboxChangeKind.FlagsChanged && c.Uid == third && c.Flags.HasFlag(MessageFlags.Answered));
    }

    [StoreFact]
    public async Task A_large_FETCH_from_a_views_kept_rows_shows_what_every_host_wrote_since()
    {
        // 100 messages: a FETCH of them all loads the view's rows; later FETCHes read only what changed since, on
        // this host or another, and answer as the message table would.
        var onA = (await A.OpenAccountAsync("alice", default)).Value;
        var onB = (await B.OpenAccountAsync("alice", default)).Value;
        var uids = new List<uint>();
        for (var i = 0; i < 100; i++)
        {
            uids.Add((await onA.AppendAsync("INBOX", TestMessages.Stream(TestMessages.Simple("m" + i)), AppendOptions.Default, default)).Value.Uid);
        }

        await using var view = (await onA.OpenMailboxAsync("INBOX", examine: false, default)).Value;
        await using var expunger = (await onA.OpenMailboxAsync("INBOX", examine: false, default)).Value;
        await using var onOtherHost = (await onB.OpenMailboxAsync("INBOX", examine: false, default)).Value;
        var kept = (PostgresMailboxView)view;
        var before = await view.FetchAsync(UidSet.All, FetchOptions.Default, default).ToListAsync();
        before.Select(m => m.Uid).Should().Equal(uids);
        kept.HasLoadedRows.Should().BeTrue();

        (await onOtherHost.StoreFlagsAsync(UidSet.Of(uids[3]), FlagOperation.Add, MessageFlags.Flagged, ["$Important"], null, default)).Error.Should().BeNull();
        (await expunger.StoreFlagsAsync(UidSet.Of(uids[5]), FlagOperation.Add, MessageFlags.Deleted, [], null, default)).Error.Should().BeNull();
        (await expunger.ExpungeAsync(null, default)).Value.Expunged.Should().Equal(uids[5]);
        var appended = (await onB.AppendAsync("INBOX", TestMessages.Stream(TestMessages.Simple("new")), AppendOptions.Default, default)).Value;
        await FeedCaughtUpAsync(A, kept);

        var after = await view.FetchAsync(UidSet.All, FetchOptions.Default, default).ToListAsync();
        after.Select(m => m.Uid).Should().Equal(uids, "the expunge is not taken yet (RFC 2180 §4.1.1) and the new message is not known to the view");
        after.Single(m => m.Uid == uids[5]).Flags.Should().Be(MessageFlags.Deleted, "it is read from the rows kept for the view");
        var flagged = after.Single(m => m.Uid == uids[3]);
        flagged.Flags.Should().Be(MessageFlags.Flagged);
        flagged.Keywords.Should().Equal("$Important");
        flagged.ModSeq.Should().BeGreaterThan(before.Single(m => m.Uid == uids[3]).ModSeq);
        (await view.FetchAsync(UidSet.All, new FetchOptions(ChangedSince: before.Max(m => m.ModSeq)), default).ToListAsync()).Select(m => m.Uid).Should().Equal(uids[3], uids[5]);
        (await view.FetchAsync(UidSet.FromUids([uids[3], uids[4]]), FetchOptions.Default, default).ToListAsync()).Select(m => m.Uid).Should().Equal(uids[3], uids[4]);

        // Taking the changes: the expunged message goes, the new one comes.
        (await view.PollChangesAsync(default)).Error.Should().BeNull();
        var taken = await view.FetchAsync(UidSet.All, FetchOptions.Default, default).ToListAsync();
        taken.Select(m => m.Uid).Should().Equal(uids.Where(u => u != uids[5]).Append(appended.Uid));

        // Waiting for changes (IDLE) lets the rows go; the next large FETCH loads them again with the same answer.
        using (var idle = new CancellationTokenSource(TimeSpan.FromMilliseconds(50)))
        {
            var wait = async () => await view.WaitForChangesAsync(idle.Token);
            await wait.Should().ThrowAsync<OperationCanceledException>();
        }

        kept.HasLoadedRows.Should().BeFalse();
        (await view.FetchAsync(UidSet.All, FetchOptions.Default, default).ToListAsync()).Should().BeEquivalentTo(taken, o => o.Excluding(m => m.Content));
        kept.HasLoadedRows.Should().BeTrue();
        (await taken[^1].Content.OpenAsync(default)).Should().NotBeNull("the content handle of a kept row finds the bytes");
    }

    [StoreFact]
    public async Task A_FETCH_that_reads_content_gets_small_messages_ahead_for_its_page_only()
    {
        var onA = (await A.OpenAccountAsync("alice", default)).Value;
        for (var i = 0; i < 5; i++)
        {
            (await onA.AppendAsync("INBOX", TestMessages.Stream(TestMessages.Simple("Ahead " + i)), AppendOptions.Default, default)).Error.Should().BeNull();
        }

        await using var view = (await onA.OpenMailboxAsync("INBOX", examine: false, default)).Value;
        var during = new List<string>();
        var kept = new List<MessageData>();
        await foreach (var message in view.FetchAsync(UidSet.All, new FetchOptions(IncludeIndex: true) { ReadsContent = true }, default))
        {
            ((PostgresMessageContent)message.Content).ReadAhead.Should().NotBeNull("the page's small messages were read with it");
            during.Add(await ReadAllAsync(message.Content));
            kept.Add(message);
        }

        during.Select((text, i) => text.Contains("Ahead " + i, StringComparison.Ordinal)).Should().AllBeEquivalentTo(true);
        (await ReadAllAsync(kept[2].Content)).Should().Be(during[2], "after the FETCH the handle reads the database, the same bytes");

        // Expunged and released: a handle kept from that FETCH finds nothing, the bytes read ahead ended with the page.
        (await view.StoreFlagsAsync(UidSet.All, FlagOperation.Add, MessageFlags.Deleted, [], null, default)).Error.Should().BeNull();
        (await view.ExpungeAsync(null, default)).Value.Expunged.Should().HaveCount(5);
        await A.Retained.ReleaseAsync(default);
        (await kept[0].Content.OpenAsync(default)).Should().BeNull();
    }

    [StoreFact]
    public async Task A_FETCH_reads_the_bytes_a_host_keeps_without_the_database_and_the_other_host_keeps_what_it_read()
    {
        var onA = (await A.OpenAccountAsync("alice", default)).Value;
        for (var i = 0; i < 3; i++)
        {
            (await onA.AppendAsync("INBOX", TestMessages.Stream(TestMessages.Simple("Kept " + i)), AppendOptions.Default, default)).Error.Should().BeNull();
        }

        A.ContentCache.Bytes.Should().BeGreaterThan(0, "the host that stored the messages keeps their bytes from the commit");
        (await FetchTextsAsync(A)).Should().HaveCount(3).And.OnlyContain(text => text.Contains("Kept ", StringComparison.Ordinal));
        A.ContentCache.Hits.Should().Be(3);
        A.ContentCache.Misses.Should().Be(0, "no byte came from the database");

        // Host B stored nothing: it reads the bytes once, then keeps them.
        var first = await FetchTextsAsync(B);
        (B.ContentCache.Hits, B.ContentCache.Misses).Should().Be((0L, 3L));
        (await FetchTextsAsync(B)).Should().Equal(first);
        (B.ContentCache.Hits, B.ContentCache.Misses).Should().Be((3L, 3L));
        first.Should().Equal(await FetchTextsAsync(A));
    }

    // Every INBOX message of alice's, read through a FETCH that reads content, as text.
    private static async Task<List<string>> FetchTextsAsync(PostgresMailStore host)
    {
        var account = (await host.OpenAccountAsync("alice", default)).Value;
        await using var view = (await account.OpenMailboxAsync("INBOX", examine: true, default)).Value;
        var texts = new List<string>();
        await foreach (var message in view.FetchAsync(UidSet.All, new FetchOptions(IncludeIndex: true) { ReadsContent = true }, default))
        {
            texts.Add(await ReadAllAsync(message.Content));
        }

        return texts;
    }

    private static async Task<string> ReadAllAsync(MessageContent content)
    {
        await using var stream = (await content.OpenAsync(default))!;
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    [StoreFact]
    public async Task A_lost_listen_connection_comes_back_and_its_waiters_lose_no_change()
    {
        var onA = (await A.OpenAccountAsync("alice", default)).Value;
        var onB = (await B.OpenAccountAsync("alice", default)).Value;
        await using var view = (await onB.OpenMailboxAsync("INBOX", examine: false, default)).Value;
        var connects = B.Feed.Connects;
        var waiting = view.WaitForChangesAsync(default).AsTask();

        // Both hosts' LISTEN connections die; the append's NOTIFY may go out while B's is away.
        await using (var admin = Npgsql.NpgsqlDataSource.Create(_database))
        await using (var kill = admin.CreateCommand($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{PostgresChangeFeed.ApplicationName}' AND datname = current_database()"))
        {
            await kill.ExecuteNonQueryAsync();
        }

        var appended = (await onA.AppendAsync("INBOX", TestMessages.Stream(TestMessages.Simple("During the outage")), AppendOptions.Default, default)).Value;
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        (await view.PollChangesAsync(default)).Value.Snapshot.Uids.Should().Equal(appended.Uid);
        using (var deadline = new CancellationTokenSource(Timeout))
        {
            while (B.Feed.Connects == connects)
            {
                await Task.Delay(50, deadline.Token);
            }
        }

        // Listening again: the next change arrives by notification.
        var next = view.WaitForChangesAsync(default).AsTask();
        (await onA.AppendAsync("INBOX", TestMessages.Stream(TestMessages.Simple("After")), AppendOptions.Default, default)).Error.Should().BeNull();
        await next.WaitAsync(TimeSpan.FromSeconds(1));
    }

    [StoreFact]
    public async Task Rows_kept_for_a_hosts_views_are_released_by_that_host_only()
    {
        var onA = (await A.OpenAccountAsync("alice", default)).Value;
        var held = (await onA.AppendAsync("INBOX", TestMessages.Stream(TestMessages.Simple("Held")), new AppendOptions(MessageFlags.Deleted), default)).Value;
        var holder = (await onA.OpenMailboxAsync("INBOX", examine: false, default)).Value;
        await using var expunger = (await onA.OpenMailboxAsync("INBOX", examine: false, default)).Value;
        (await expunger.ExpungeAsync(null, default)).Value.Expunged.Should().Equal(held.Uid);
        (await RetainedAsync()).Should().Equal("host-a");

        // Another host starting again leaves host A's rows alone: its views may still show them (RFC 2180 §4.1.1).
        await _b!.DisposeAsync();
        _b = await PostgresMailStore.OpenAsync(new PostgresMailStoreOptions { ConnectionString = _database, InstanceId = "host-b" }, null, null, default);
        (await RetainedAsync()).Should().Equal("host-a");
        var message = await holder.FetchAsync(UidSet.All, FetchOptions.Default, default).SingleAsync();
        (await message.Content.OpenAsync(default)).Should().NotBeNull();

        // Host A stops with the view open (a crash); when it starts again it releases what it kept.
        await _a!.DisposeAsync();
        _a = await PostgresMailStore.OpenAsync(new PostgresMailStoreOptions { ConnectionString = _database, InstanceId = "host-a" }, null, null, default);
        (await RetainedAsync()).Should().BeEmpty();
        (await CountAsync("contents")).Should().Be(0, "nothing references the content any more");
    }

    [StoreFact]
    public async Task A_database_failure_is_unavailable_never_a_success()
    {
        var onA = (await A.OpenAccountAsync("alice", default)).Value;
        await using var view = (await onA.OpenMailboxAsync("INBOX", examine: false, default)).Value;
        await PostgresTestServer.DropDatabaseAsync(_database);

        (await onA.AppendAsync("INBOX", TestMessages.Stream(TestMessages.Simple()), AppendOptions.Default, default)).Error!.Code.Should().Be(StoreErrorCode.Unavailable);
        (await onA.GetStatusAsync("INBOX", default)).Error!.Code.Should().Be(StoreErrorCode.Unavailable);
        (await onA.CreateMailboxAsync("New", MailboxAttributes.None, default)).Error!.Code.Should().Be(StoreErrorCode.Unavailable);
        (await view.PollChangesAsync(default)).Error!.Code.Should().Be(StoreErrorCode.Unavailable);
        (await A.DeliverAsync(TestMessages.Stream(TestMessages.Simple()), [new DeliveryTarget("alice")], default)).Error!.Code.Should().Be(StoreErrorCode.Unavailable);
    }

    [StoreFact]
    public async Task A_current_view_answers_from_what_it_knows_until_the_change_feed_announces_more()
    {
        // A change written behind the feed's back stands for one whose notification is still on its way from another
        // host: a view that found itself current answers from what it knows until the announcement arrives.
        await using var host = await PostgresMailStore.OpenAsync(new PostgresMailStoreOptions { ConnectionString = _database, InstanceId = "host-c", ChangeFeedTrust = TimeSpan.FromMinutes(5) }, null, null, default);
        var (view, uids) = await OpenWorkAsync(host);
        await using var disposeView = view;
        (await view.FetchAsync(UidSet.All, FetchOptions.Default, default).ToListAsync()).Should().HaveCount(uids.Count);
        view.HasLoadedRows.Should().BeTrue();

        var modSeq = await FlagBehindTheFeedAsync(view.MailboxId, uids[0]);
        (await view.PollChangesAsync(default)).Value.Changes.Should().BeEmpty("the feed announced nothing: no query");
        (await view.FetchAsync(UidSet.All, FetchOptions.Default, default).ToListAsync()).Single(m => m.Uid == uids[0]).Flags.Should().Be(MessageFlags.None);

        host.Feed.Publish(view.MailboxId, modSeq);
        (await view.FetchAsync(UidSet.All, FetchOptions.Default, default).ToListAsync()).Single(m => m.Uid == uids[0]).Flags.Should().Be(MessageFlags.Flagged, "announced: the kept rows are read again");
        var polled = (await view.PollChangesAsync(default)).Value;
        polled.Changes.Should().ContainSingle(c => c.Kind == MailboxChangeKind.FlagsChanged && c.Uid == uids[0] && c.Flags == MessageFlags.Flagged);
        polled.Snapshot.HighestModSeq.Should().Be(modSeq);

        // A STORE that changes nothing by the kept rows is answered from them: another host's change still on its way
        // (here \Flagged taken off behind the feed) is not seen, and nothing is written.
        var unflagged = await FlagBehindTheFeedAsync(view.MailboxId, uids[0], flagged: false);
        var answered = (await view.StoreFlagsAsync(UidSet.Of(uids[0]), FlagOperation.Add, MessageFlags.Flagged, [], null, default)).Value;
        answered.Messages.Should().ContainSingle(m => m.Uid == uids[0] && !m.Changed && m.Flags == MessageFlags.Flagged);
        answered.HighestModSeq.Should().Be(modSeq);
        host.Feed.Publish(view.MailboxId, unflagged);
        var stored = (await view.StoreFlagsAsync(UidSet.Of(uids[0]), FlagOperation.Add, MessageFlags.Flagged, [], null, default)).Value;
        stored.Messages.Should().ContainSingle(m => m.Uid == uids[0] && m.Changed, "announced: the database decides, and the flag goes back on");

        // The view's own write: the feed announces it, and the view takes it as its state without a read.
        await view.PollChangesAsync(default);
        var seen = (await view.StoreFlagsAsync(UidSet.Of(uids[1]), FlagOperation.Add, MessageFlags.Seen, [], null, default)).Value;
        var own = (await view.PollChangesAsync(default)).Value;
        own.Changes.Should().BeEmpty();
        own.Snapshot.HighestModSeq.Should().Be(seen.HighestModSeq);

        // A failure to reach the database makes every view read again.
        await FlagBehindTheFeedAsync(view.MailboxId, uids[2]);
        (await view.PollChangesAsync(default)).Value.Changes.Should().BeEmpty();
        host.Feed.Distrust();
        (await view.PollChangesAsync(default)).Value.Changes.Should().ContainSingle(c => c.Uid == uids[2]);

        // A rename counts no MODSEQ: it is announced of its own, here by another host, and the view reads the new name.
        (await (await B.OpenAccountAsync("alice", default)).Value.RenameMailboxAsync("Work", "Renamed", default)).Error.Should().BeNull();
        var deadline = DateTime.UtcNow + Timeout;
        while ((await view.PollChangesAsync(default)).Value.Snapshot.Name != "Renamed")
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the rename is announced across hosts");
            await Task.Delay(5);
        }
    }

    [StoreFact]
    public async Task Without_news_from_the_change_feed_a_view_reads_again_once_its_trust_runs_out()
    {
        await using (var untrusting = await PostgresMailStore.OpenAsync(new PostgresMailStoreOptions { ConnectionString = _database, InstanceId = "host-c", ChangeFeedTrust = TimeSpan.Zero }, null, null, default))
        {
            var (view, uids) = await OpenWorkAsync(untrusting);
            await using var disposeView = view;
            await FlagBehindTheFeedAsync(view.MailboxId, uids[0]);
            (await view.PollChangesAsync(default)).Value.Changes.Should().ContainSingle(c => c.Uid == uids[0], "without trust every poll reads");
        }

        await using var host = await PostgresMailStore.OpenAsync(new PostgresMailStoreOptions { ConnectionString = _database, InstanceId = "host-d", ChangeFeedTrust = TimeSpan.FromMilliseconds(200) }, null, null, default);
        var (work, ids) = await OpenWorkAsync(host, "Work2");
        await using var disposeWork = work;
        await FlagBehindTheFeedAsync(work.MailboxId, ids[1]);
        await Task.Delay(TimeSpan.FromMilliseconds(400));
        (await work.PollChangesAsync(default)).Value.Changes.Should().ContainSingle(c => c.Uid == ids[1], "the trust ran out");
    }

    /// <summary>A new mailbox of alice's on <paramref name="host"/> with enough messages for a view to keep its rows, open.</summary>
    private static async Task<(PostgresMailboxView View, List<uint> Uids)> OpenWorkAsync(PostgresMailStore host, string name = "Work")
    {
        var account = (await host.OpenAccountAsync("alice", default)).Value;
        (await account.CreateMailboxAsync(name, MailboxAttributes.None, default)).Error.Should().BeNull();
        var uids = new List<uint>();
        for (var i = 0; i < ViewRows.FillThreshold; i++)
        {
            uids.Add((await account.AppendAsync(name, TestMessages.Stream(TestMessages.Simple("m" + i)), AppendOptions.Default, default)).Value.Uid);
        }

        return ((PostgresMailboxView)(await account.OpenMailboxAsync(name, examine: false, default)).Value, uids);
    }

    /// <summary>Sets (or clears) a message's \Flagged with a new MODSEQ as a writer would, but sends no notification; returns the MODSEQ.</summary>
    private async Task<ulong> FlagBehindTheFeedAsync(long mailboxId, uint uid, bool flagged = true)
    {
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(_database);
        await using var command = dataSource.CreateCommand(
            """
            WITH mb AS (UPDATE mailboxes SET highest_modseq = highest_modseq + 1 WHERE id = $1 RETURNING highest_modseq)
            UPDATE messages SET flags = CASE WHEN $3 THEN flags | 4 ELSE flags & ~4 END, modseq = (SELECT highest_modseq FROM mb) WHERE mailbox_id = $1 AND uid = $2 RETURNING modseq
            """);
        command.Parameters.Add(new() { Value = mailboxId });
        command.Parameters.Add(new() { Value = (long)uid });
        command.Parameters.Add(new() { Value = flagged });
        return (ulong)(long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<long> CountAsync(string table)
    {
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(_database);
        await using var command = dataSource.CreateCommand($"SELECT COUNT(*) FROM {table}");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<List<string>> RetainedAsync()
    {
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(_database);
        await using var command = dataSource.CreateCommand("SELECT instance FROM retained ORDER BY instance");
        await using var reader = await command.ExecuteReaderAsync();
        var instances = new List<string>();
        while (await reader.ReadAsync())
        {
            instances.Add(reader.GetString(0));
        }

        return instances;
    }
}
