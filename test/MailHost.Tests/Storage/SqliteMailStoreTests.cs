using System.Text;
using MailHost.Storage;
using MailHost.Storage.Search;
using MailHost.Storage.Sqlite;
using MailHost.Storage.Sqlite.Mail;
using MailHost.Tests.Imap;

namespace MailHost.Tests.Storage;

[Collection(StoreCollection.Name)]
public sealed class SqliteMailStoreTests : MailStoreConformanceTests, IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mailhost-store-" + Guid.NewGuid().ToString("N"));
    private int _stores;

    protected override async Task<IMailStore> CreateStoreCoreAsync(QuotaLimits? defaultQuota)
    {
        var options = new SqliteMailStoreOptions
        {
            DataDirectory = Path.Combine(_directory, (_stores++).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            DefaultQuota = defaultQuota ?? QuotaLimits.Unlimited,
        };
        return await SqliteMailStore.OpenAsync(options, null, Clock, default);
    }

    protected override async Task<IMailStore> ReopenStoreCoreAsync(IMailStore store)
    {
        var sqlite = (SqliteMailStore)store;
        var directory = Path.GetDirectoryName(sqlite.DatabasePath)!;
        await store.DisposeAsync();
        return await SqliteMailStore.OpenAsync(new SqliteMailStoreOptions { DataDirectory = directory }, null, Clock, default);
    }

    // Released content has no contents row any more (and its file is deleted after the commit).
    protected override async Task<bool> IsReleasedAsync(IMailStore store, MessageContent content)
    {
        await ((SqliteMailStore)store).ReleaseRetainedAsync(default).WaitAsync(Timeout);
        var stream = await content.OpenAsync(default).AsTask().WaitAsync(Timeout);
        if (stream is null)
        {
            return true;
        }

        await stream.DisposeAsync();
        return false;
    }

    [Fact]
    public async Task Rows_kept_for_open_views_are_released_in_the_background_and_at_the_next_start()
    {
        var store = (SqliteMailStore)await CreateStoreAsync();
        var account = await OpenAsync(store);
        var blobs = Path.Combine(Path.GetDirectoryName(store.DatabasePath)!, "blobs");
        await AppendAsync(account, "INBOX", HeldMessage("first", 100_000), new AppendOptions(MessageFlags.Deleted));
        await AppendAsync(account, "INBOX", HeldMessage("second", 100_000), new AppendOptions(MessageFlags.Deleted));
        async Task<long?> RetainedAsync() => await store.ReadAsync(db => db.Long("SELECT COUNT(*) FROM retained"), default).WaitAsync(Timeout);

        // The release pass runs by itself once the holder takes the expunge: wait for the writer to go idle.
        var holder = await SelectAsync(account, "INBOX");
        var expunger = await SelectAsync(account, "INBOX");
        (await expunger.ExpungeAsync(null, default)).Value.Expunged.Should().HaveCount(2);
        (await RetainedAsync()).Should().Be(2);
        BlobFiles(blobs).Should().HaveCount(2);
        await holder.PollChangesAsync(default);
        using (var deadline = new CancellationTokenSource(Timeout))
        {
            while (await RetainedAsync() > 0)
            {
                await store.RunningBatch.WaitAsync(deadline.Token);
                await Task.Yield();
            }
        }

        BlobFiles(blobs).Should().BeEmpty();

        // A process that ends with views open (a crash) leaves retained rows; the next start releases them.
        await AppendAsync(account, "INBOX", HeldMessage("third", 100_000), new AppendOptions(MessageFlags.Deleted));
        var crashed = await SelectAsync(account, "INBOX");
        (await expunger.PollChangesAsync(default)).IsSuccess.Should().BeTrue();
        (await expunger.ExpungeAsync(null, default)).Value.Expunged.Should().ContainSingle();
        (await RetainedAsync()).Should().Be(1);
        _ = crashed;
        var reopened = (SqliteMailStore)await ReopenAsync(store);
        (await reopened.ReadAsync(db => db.Long("SELECT COUNT(*) FROM retained") + db.Long("SELECT COUNT(*) FROM contents"), default)).Should().Be(0);
        BlobFiles(blobs).Should().BeEmpty();
        reopened.LastCheck!.CountersRepaired.Should().BeGreaterThan(0, "the reference the retained row held is given back");
    }

    [Fact]
    public async Task Group_commit_puts_concurrent_writes_into_fewer_transactions()
    {
        var store = (SqliteMailStore)await CreateStoreAsync();
        var account = await OpenAsync(store);
        var before = store.Commits;
        await Task.WhenAll(Enumerable.Range(0, 64).Select(i => AppendAsync(account, "INBOX", TestMessages.Simple($"m{i}")))).WaitAsync(Timeout);
        (store.Commits - before).Should().BeLessThan(64);
        (await account.GetStatusAsync("INBOX", default)).Value.Messages.Should().Be(64);
    }

    [Fact]
    public async Task Without_group_commit_every_write_is_its_own_transaction()
    {
        var options = new SqliteMailStoreOptions { DataDirectory = Path.Combine(_directory, "single"), GroupCommit = false };
        await using var store = await SqliteMailStore.OpenAsync(options, null, Clock, default);
        var account = (await store.OpenAccountAsync("alice", default)).Value;
        var before = store.Commits;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(i => AppendAsync(account, "INBOX", TestMessages.Simple($"m{i}")))).WaitAsync(Timeout);
        (store.Commits - before).Should().Be(16);
    }

    [Fact]
    public async Task Large_content_lives_in_one_file_per_address_and_is_released_with_its_last_message()
    {
        var store = (SqliteMailStore)await CreateStoreAsync();
        var big = TestMessages.Simple("big", new string('x', 200_000) + "\r\n");
        var delivered = (await store.DeliverAsync(TestMessages.Stream(big), [new DeliveryTarget("a"), new DeliveryTarget("b")], default)).Value;
        delivered.Targets.Should().OnlyContain(t => t.Result != null);
        await store.DeliverAsync(TestMessages.Stream(big), [new DeliveryTarget("c")], default);
        var blobs = Path.Combine(Path.GetDirectoryName(store.DatabasePath)!, "blobs");
        BlobFiles(blobs).Should().ContainSingle();
        foreach (var name in new[] { "a", "b", "c" })
        {
            var view = await SelectAsync(await OpenAsync(store, name), "INBOX");
            await view.StoreFlagsAsync(UidSet.All, FlagOperation.Add, MessageFlags.Deleted, [], null, default);
            await view.ExpungeAsync(null, default);
            BlobFiles(blobs).Should().HaveCount(name == "c" ? 0 : 1);
        }
    }

    [Fact]
    public async Task The_startup_check_removes_orphans_and_unfinished_spool_files()
    {
        var store = (SqliteMailStore)await CreateStoreAsync();
        var account = await OpenAsync(store);
        var kept = TestMessages.Simple("kept", new string('k', 100_000));
        var a = await AppendAsync(account, "INBOX", kept);
        var blobs = Path.Combine(Path.GetDirectoryName(store.DatabasePath)!, "blobs");
        var orphan = Path.Combine(blobs, "ff", new string('f', 64));
        Directory.CreateDirectory(Path.GetDirectoryName(orphan)!);
        await File.WriteAllTextAsync(orphan, "left by a crash between rename and commit");
        await File.WriteAllTextAsync(Path.Combine(blobs, "tmp", "half.tmp"), "half an append");
        store = (SqliteMailStore)await ReopenAsync(store);
        store.LastCheck!.OrphanedBlobsRemoved.Should().Be(1);
        store.LastCheck.TemporaryFilesRemoved.Should().Be(1);
        store.LastCheck.MissingBlobs.Should().Be(0);
        File.Exists(orphan).Should().BeFalse();
        var view = await SelectAsync(await OpenAsync(store), "INBOX");
        (await ReadAsync((await FetchAsync(view, UidSet.Of(a.Uid))).Single().Content)).Should().Equal(kept);
        (await store.CheckAsync(default)).OrphanedBlobsRemoved.Should().Be(0);
    }

    [Fact]
    public async Task Traversal_names_never_touch_the_file_system_outside_the_store()
    {
        var root = Path.Combine(_directory, "jail");
        var data = Path.Combine(root, "data");
        await using var store = await SqliteMailStore.OpenAsync(new SqliteMailStoreOptions { DataDirectory = data }, null, Clock, default);
        var account = (await store.OpenAccountAsync("adm", default)).Value;
        foreach (var name in new[] { "../../x", "..", "a/../../b", "/etc/x", "../y", "../data-evil", "a/../../../tmp/z" })
        {
            (await account.CreateMailboxAsync(name, MailboxAttributes.None, default)).Error!.Code.Should().Be(StoreErrorCode.InvalidName);
            (await account.RenameMailboxAsync("INBOX", name, default)).Error!.Code.Should().Be(StoreErrorCode.InvalidName);
        }

        await AppendAsync(account, "INBOX", TestMessages.Simple("x", new string('x', 100_000)));
        Directory.EnumerateFileSystemEntries(root).Should().Equal(data);
        Directory.EnumerateFileSystemEntries(data).Select(Path.GetFileName).Should().BeSubsetOf(["mail.db", "mail.db-wal", "mail.db-shm", "blobs"]);
    }

    [Fact]
    public async Task Readers_never_wait_for_the_writer()
    {
        var store = (SqliteMailStore)await CreateStoreAsync();
        var account = await OpenAsync(store);
        var a = await AppendAsync(account, "INBOX", TestMessages.Simple("before"));
        var view = await SelectAsync(account, "INBOX");
        using var inside = new SemaphoreSlim(0);
        using var release = new SemaphoreSlim(0);
        // Hold the writer inside an open write transaction that has already changed the mailbox.
        var blocked = store.WriteAsync(ctx =>
        {
            ctx.Db.Exec("UPDATE mailboxes SET highest_modseq = highest_modseq + 1000");
            inside.Release();
            release.Wait(Timeout);
            return StoreResult<bool>.Success(true);
        }, default);
        (await inside.WaitAsync(Timeout)).Should().BeTrue();
        var status = (await account.GetStatusAsync("INBOX", default).AsTask().WaitAsync(TimeSpan.FromSeconds(5))).Value;
        status.HighestModSeq.Should().BeLessThan(1000, "readers see the last commit, not the open transaction");
        (await FetchAsync(view, UidSet.All).WaitAsync(TimeSpan.FromSeconds(5))).Single().Uid.Should().Be(a.Uid);
        (await view.SearchAsync(new HeaderCriterion("Subject", "before"), default).AsTask().WaitAsync(TimeSpan.FromSeconds(5))).Value.Uids.Should().Equal(a.Uid);
        blocked.IsCompleted.Should().BeFalse();
        release.Release();
        (await blocked.WaitAsync(Timeout)).IsSuccess.Should().BeTrue();
    }

    [Fact]
    public async Task A_failing_spool_write_is_Unavailable_and_stores_nothing()
    {
        var store = (SqliteMailStore)await CreateStoreAsync();
        var account = await OpenAsync(store);
        var temp = Path.Combine(Path.GetDirectoryName(store.DatabasePath)!, "blobs", "tmp");
        Directory.Delete(temp, recursive: true);
        await File.WriteAllTextAsync(temp, "a file where the spool directory should be");
        var big = TestMessages.Simple("big", new string('b', 200_000));
        var result = await account.AppendAsync("INBOX", TestMessages.Stream(big), AppendOptions.Default, default);
        result.Error!.Code.Should().Be(StoreErrorCode.Unavailable);
        await AppendAsync(account, "INBOX", TestMessages.Simple("small"));
        File.Delete(temp);
        Directory.CreateDirectory(temp);
        await AppendAsync(account, "INBOX", big);
        (await account.GetStatusAsync("INBOX", default)).Value.Messages.Should().Be(2);
    }

    [Fact]
    public async Task A_version_1_database_opens_and_threads_from_the_stored_headers()
    {
        // Schema version 2 added contents.thread_references; rows written at version 1 have NULL there and are
        // threaded from their stored header block (inline and file content alike).
        var options = new SqliteMailStoreOptions { DataDirectory = Path.Combine(_directory, "v1") };
        static string Mail(string id, string subject, int day, string? references = null, string body = "text") =>
            $"From: bob@example.com\r\nSubject: {subject}\r\nDate: {day:00} Nov 2026 10:00:00 +0000\r\n" +
            (id.Length > 0 ? $"Message-ID: <{id}>\r\n" : "") + (references is null ? "" : $"References: {references}\r\n") + $"\r\n{body}\r\n";
        string databasePath;
        await using (var old = await SqliteMailStore.OpenAsync(options, null, Clock, default))
        {
            databasePath = old.DatabasePath;
            var account = (await old.OpenAccountAsync("alice", default)).Value;
            await AppendAsync(account, "INBOX", Encoding.ASCII.GetBytes(Mail("a@x", "Lunch", 1)));
            await AppendAsync(account, "INBOX", Encoding.ASCII.GetBytes(Mail("b@x", "Re: Lunch", 2, "<\"a\"@x>", new string('x', 100_000))));
            await AppendAsync(account, "INBOX", Encoding.ASCII.GetBytes(Mail("c@x", "Re: Lunch", 3, "<a@x> <b@x>")));
            await AppendAsync(account, "INBOX", Encoding.ASCII.GetBytes(Mail("d@x", "Other", 4, "<gone@x>")));
            await AppendAsync(account, "INBOX", Encoding.ASCII.GetBytes(Mail("", "Other two", 5, "<gone@x>")));
            while (await old.IndexPendingTextAsync(100, default) > 0)
            {
            }
        }

        // What version 1 wrote: no thread_references column and no References in index_json.
        await using (var connection = await SqliteDatabase.OpenAsync(databasePath, default))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = """
                UPDATE contents SET index_json = json_remove(index_json, '$.References');
                ALTER TABLE contents DROP COLUMN thread_references;
                ALTER TABLE messages DROP COLUMN size;
                DROP TABLE text_pending;
                DROP TABLE text_released;
                ALTER TABLE mailboxes DROP COLUMN first_recent_uid;
                DROP TABLE content_addresses;
                DROP TABLE retained;
                PRAGMA user_version = 1;
                """;
            await command.ExecuteNonQueryAsync();
        }

        await using var store = await SqliteMailStore.OpenAsync(options, null, Clock, default);
        store.LastCheck!.SchemaVersion.Should().Be(SqliteMailSchema.Migrations.Count);
        (await (await OpenAsync(store)).GetStatusAsync("INBOX", default)).Value.Recent.Should().Be(0, "version 5 starts mail stored before with nothing recent");
        (await store.ReadAsync(db => db.Long("SELECT COUNT(*) FROM messages m JOIN contents c ON c.id = m.content_id WHERE m.size = c.size"), default))
            .Should().Be(5, "version 3 copies every content size onto its messages");
        var view = await SelectAsync(await OpenAsync(store), "INBOX");
        (await FetchAsync(view, UidSet.All, FetchOptions.Default)).Select(m => m.Size).Should().HaveCount(5).And.Contain(s => s > 100_000, "the file-stored message keeps its size");
        (await FetchAsync(view, UidSet.All, FetchOptions.WithIndex)).Select(m => m.Index!.References).Should().BeEquivalentTo(
            [[], new[] { "a@x" }, ["a@x", "b@x"], ["gone@x"], ["gone@x"]], o => o.WithStrictOrdering());
        await AppendAsync(await OpenAsync(store), "INBOX", Encoding.ASCII.GetBytes(Mail("e@x", "Re: Other", 6, "<gone@x> <d@x>")));
        (await store.ReadAsync(db => db.Long("SELECT COUNT(*) FROM contents WHERE thread_references IS NULL"), default))
            .Should().Be(5, "reading re-derives without writing, and new content has the column");

        await using var imap = new InMemoryImapConnection(store);
        (await CommandAsync(imap, "a", "LOGIN alice@example.com alice-pw")).Should().EndWith("a OK");
        (await CommandAsync(imap, "b", "SELECT INBOX")).Should().EndWith("b OK");
        (await CommandAsync(imap, "c", "THREAD REFERENCES UTF-8 ALL")).Should().Be("* THREAD (1 2 3)((4 6)(5))\nc OK");
        (await CommandAsync(imap, "d", "UID THREAD REFERENCES US-ASCII SUBJECT other")).Should().Be("* THREAD ((4 6)(5))\nd OK");
    }

    /// <summary>The untagged lines of a command and the tagged status word, one per line.</summary>
    private static async Task<string> CommandAsync(InMemoryImapConnection connection, string tag, string command)
    {
        await connection.SendAsync($"{tag} {command}\r\n");
        var lines = new List<string>();
        while (await connection.ReadLineAsync() is { } line)
        {
            if (line.StartsWith(tag + " ", StringComparison.Ordinal))
            {
                lines.Add(string.Join(' ', line.Split(' ').Take(2)));
                break;
            }

            if (line.StartsWith("* THREAD", StringComparison.Ordinal))
            {
                lines.Add(line);
            }
        }

        return string.Join('\n', lines);
    }

    [Fact]
    public async Task The_service_collection_extension_registers_the_store()
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        Microsoft.Extensions.DependencyInjection.SqliteMailStoreServiceCollectionExtensions.AddSqliteMailStore(services, Path.Combine(_directory, "di"), o => o.InlineThreshold = 1024);
        await using var provider = Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(services);
        var store = (IMailStore)provider.GetService(typeof(IMailStore))!;
        store.Should().BeOfType<SqliteMailStore>();
        var account = (await store.OpenAccountAsync("x", default)).Value;
        await AppendAsync(account, "INBOX", TestMessages.Simple());
        File.Exists(Path.Combine(_directory, "di", "mail.db")).Should().BeTrue();
    }

    [Fact]
    public async Task Polling_sees_changes_written_by_another_store_on_the_same_database()
    {
        // Two stores on one directory stand for two processes: the second one's writes reach the first one's view
        // only through the database, never through an in-process change feed.
        var first = (SqliteMailStore)await CreateStoreAsync();
        var view = await SelectAsync(await OpenAsync(first), "INBOX");
        var options = new SqliteMailStoreOptions { DataDirectory = Path.GetDirectoryName(first.DatabasePath)! };
        await using var second = await SqliteMailStore.OpenAsync(options, null, Clock, default);
        var other = await OpenAsync(second);

        (await view.PollChangesAsync(default)).Value.Changes.Should().BeEmpty();
        var a = await AppendAsync(other, "INBOX", TestMessages.Simple("a"));
        var b = await AppendAsync(other, "INBOX", TestMessages.Simple("b"));
        var appended = (await view.PollChangesAsync(default)).Value;
        appended.Changes.Select(c => (c.Kind, c.Uid)).Should().Equal((MailboxChangeKind.Appended, a.Uid), (MailboxChangeKind.Appended, b.Uid));
        appended.Snapshot.Uids.Should().Equal(a.Uid, b.Uid);
        appended.Snapshot.Unseen.Should().Be(2);

        var unchanged = (await view.PollChangesAsync(default)).Value;
        unchanged.Changes.Should().BeEmpty();
        unchanged.Snapshot.Should().BeSameAs(appended.Snapshot);

        var otherView = await SelectAsync(other, "INBOX");
        await otherView.StoreFlagsAsync(UidSet.FromUids([a.Uid]), FlagOperation.Add, MessageFlags.Seen | MessageFlags.Deleted, [], null, default);
        var flagged = (await view.PollChangesAsync(default)).Value;
        flagged.Changes.Should().ContainSingle().Which.Should().Match<MailboxChange>(c => c.Kind == MailboxChangeKind.FlagsChanged && c.Uid == a.Uid && c.Flags == (MessageFlags.Seen | MessageFlags.Deleted));
        flagged.Snapshot.Unseen.Should().Be(1);

        await otherView.ExpungeAsync(null, default);
        var expunged = (await view.PollChangesAsync(default)).Value;
        expunged.Changes.Should().ContainSingle().Which.Should().Match<MailboxChange>(c => c.Kind == MailboxChangeKind.Expunged && c.Uid == a.Uid);
        view.Snapshot.Uids.Should().Equal(b.Uid);

        (await other.RenameMailboxAsync("Archive", "Old", default)).IsSuccess.Should().BeTrue();
        var archive = await SelectAsync(await OpenAsync(first), "Old");
        (await other.RenameMailboxAsync("Old", "Older", default)).IsSuccess.Should().BeTrue();
        (await archive.PollChangesAsync(default)).Value.Snapshot.Name.Should().Be("Older", "a rename changes no MODSEQ but must still reach the snapshot");
    }

    [Fact]
    public async Task A_large_FETCH_answered_from_cached_rows_shows_what_another_store_wrote_since()
    {
        // 100 messages: a FETCH of them all loads the view's rows; later FETCHes bring them up to date from the
        // database (flags, expunges, copies) in the read that answers, as the message table alone would.
        var first = (SqliteMailStore)await CreateStoreAsync();
        var mine = await OpenAsync(first);
        var uids = new List<uint>();
        var stored = new Dictionary<uint, byte[]>();
        for (var i = 0; i < 100; i++)
        {
            var bytes = TestMessages.Simple("m" + i);
            var uid = (await AppendAsync(mine, "INBOX", bytes)).Uid;
            uids.Add(uid);
            stored[uid] = bytes;
        }

        var view = await SelectAsync(mine, "INBOX");
        var options = new SqliteMailStoreOptions { DataDirectory = Path.GetDirectoryName(first.DatabasePath)! };
        await using var second = await SqliteMailStore.OpenAsync(options, null, Clock, default);
        var otherView = await SelectAsync(await OpenAsync(second), "INBOX");
        async Task<long> StatusUnseenAsync() => (await (await OpenAsync(second)).GetStatusAsync("INBOX", default)).Value.Unseen;

        var before = await FetchAsync(view, UidSet.All);
        before.Select(m => m.Uid).Should().Equal(uids);
        before.Should().OnlyContain(m => m.Flags == MessageFlags.None && m.Size > 0);

        (await otherView.StoreFlagsAsync(UidSet.FromUids([uids[3]]), FlagOperation.Add, MessageFlags.Flagged, ["$Important"], null, default)).IsSuccess.Should().BeTrue();
        (await otherView.StoreFlagsAsync(UidSet.FromUids([uids[5]]), FlagOperation.Add, MessageFlags.Deleted, [], null, default)).IsSuccess.Should().BeTrue();
        (await otherView.ExpungeAsync(null, default)).IsSuccess.Should().BeTrue();
        var newBytes = TestMessages.Simple("new");
        stored[(await AppendAsync(await OpenAsync(second), "INBOX", newBytes)).Uid] = newBytes;
        stored.Remove(uids[5]);

        var after = await FetchAsync(view, UidSet.All);
        after.Should().HaveCount(99, "the expunged message is gone from the table, and the new one is not known to the view yet");
        after.Select(m => m.Uid).Should().NotContain(uids[5]);
        var flagged = after.Single(m => m.Uid == uids[3]);
        flagged.Flags.Should().Be(MessageFlags.Flagged);
        flagged.Keywords.Should().Equal("$Important");
        flagged.ModSeq.Should().BeGreaterThan(before.Single(m => m.Uid == uids[3]).ModSeq);
        (await FetchAsync(view, UidSet.All, new FetchOptions(ChangedSince: before.Max(m => m.ModSeq)))).Select(m => m.Uid).Should().Equal(uids[3]);
        (await FetchAsync(view, UidSet.FromUids([uids[3], uids[4]]))).Select(m => m.Uid).Should().Equal(uids[3], uids[4]);

        // The snapshot's unseen count is taken from the loaded rows once they are current: it must match the table.
        (await otherView.StoreFlagsAsync(UidSet.FromUids([uids[0], uids[1]]), FlagOperation.Add, MessageFlags.Seen, [], null, default)).IsSuccess.Should().BeTrue();
        var polled = (await view.PollChangesAsync(default)).Value.Snapshot;
        polled.Unseen.Should().Be(98, "100 appended, one expunged, one new, two seen");
        polled.FirstUnseenUid.Should().Be(uids[2]);
        (await StatusUnseenAsync()).Should().Be(98);

        // Waiting for changes (IDLE) lets the rows go; the next large FETCH loads them again with the same answer.
        var sqliteView = (SqliteMailboxView)view;
        sqliteView.HasLoadedRows.Should().BeTrue();
        using (var idle = new CancellationTokenSource(TimeSpan.FromMilliseconds(50)))
        {
            var wait = async () => await view.WaitForChangesAsync(idle.Token);
            await wait.Should().ThrowAsync<OperationCanceledException>();
        }

        sqliteView.HasLoadedRows.Should().BeFalse();
        var reloaded = await FetchAsync(view, UidSet.All);
        sqliteView.HasLoadedRows.Should().BeTrue();

        // The reloaded rows against what was stored (not against another read of the same rows): every UID appended
        // and not expunged, in order; the flags and keywords the other store set; the size, the append time and the
        // bytes of each message.
        reloaded.Select(m => m.Uid).Should().Equal(stored.Keys.Order());
        foreach (var m in reloaded)
        {
            var expectedFlags = m.Uid == uids[3] ? MessageFlags.Flagged : m.Uid == uids[0] || m.Uid == uids[1] ? MessageFlags.Seen : MessageFlags.None;
            m.Flags.Should().Be(expectedFlags, "UID {0}", m.Uid);
            m.Keywords.Should().Equal(m.Uid == uids[3] ? ["$Important"] : Array.Empty<string>(), "UID {0}", m.Uid);
            m.Size.Should().Be(stored[m.Uid].Length, "UID {0}", m.Uid);
            m.InternalDate.Should().Be(Clock.GetUtcNow(), "UID {0} was appended at the clock's time", m.Uid);
            (await ReadAsync(m.Content)).Should().Equal(stored[m.Uid], "UID {0}", m.Uid);
        }

        var content = await after[0].Content.OpenAsync(0, after[0].Size, default);
        content.Should().NotBeNull("the content handle finds the bytes when it is opened");
        (await FetchAsync(view, UidSet.FromUids([uids[0]]), FetchOptions.WithIndex)).Single().Size.Should().Be(after[0].Size);
    }

    [Theory]
    [InlineData(20_000, 100_000)] // the rows FETCH keeps
    [InlineData(5, 1_000)] // a mailbox too large for FETCH's rows: the search keeps its own
    [InlineData(5, 5)] // too large for either: every search reads the table
    public async Task SEARCH_on_flags_answers_from_the_kept_rows_and_sees_what_another_store_wrote_since(int maxKeptRows, int maxKeptSearchRows)
    {
        // A search without text or sent dates loads the view's rows once and brings them up to the mailbox's
        // HIGHESTMODSEQ in the read that answers: another process's flag change and expunge show in the next answer.
        var first = new SqliteMailStore(new SqliteMailStoreOptions { DataDirectory = Path.Combine(_directory, "kept") }, null, Clock)
        {
            MaxKeptRows = maxKeptRows,
            MaxKeptSearchRows = maxKeptSearchRows,
        };
        await using var disposeFirst = first;
        await first.OpenAsync(default);
        var mine = await OpenAsync(first);
        var uids = new List<uint>();
        for (var i = 0; i < 20; i++)
        {
            uids.Add((await AppendAsync(mine, "INBOX", TestMessages.Simple("m" + i, body: new string('x', i * 100)))).Uid);
        }

        var view = await SelectAsync(mine, "INBOX");
        var options = new SqliteMailStoreOptions { DataDirectory = Path.GetDirectoryName(first.DatabasePath)! };
        await using var second = await SqliteMailStore.OpenAsync(options, null, Clock, default);
        var otherView = await SelectAsync(await OpenAsync(second), "INBOX");
        async Task<IReadOnlyList<uint>> SearchAsync(SearchCriteria criteria) => (await view.SearchAsync(criteria, default)).Value.Uids;

        (await SearchAsync(new FlagCriterion(MessageFlags.Seen, false))).Should().Equal(uids);
        ((SqliteMailboxView)view).HasLoadedRows.Should().Be(maxKeptRows > uids.Count, "a flag search keeps the rows for the next one where FETCH would");
        (await SearchAsync(new FlagCriterion(MessageFlags.Seen, false))).Should().Equal(uids, "an unchanged mailbox answers the same from what the view kept");

        // The view's own change moves HIGHESTMODSEQ too: the next search sees it.
        (await view.StoreFlagsAsync(UidSet.FromUids([uids[0]]), FlagOperation.Add, MessageFlags.Flagged, [], null, default)).IsSuccess.Should().BeTrue();
        (await SearchAsync(new FlagCriterion(MessageFlags.Flagged, true))).Should().Equal(uids[0]);
        (await SearchAsync(new FlagCriterion(MessageFlags.Flagged, true))).Should().Equal(uids[0]);

        (await otherView.StoreFlagsAsync(UidSet.FromUids([uids[2], uids[7]]), FlagOperation.Add, MessageFlags.Seen, ["$Junk"], null, default)).IsSuccess.Should().BeTrue();
        (await otherView.StoreFlagsAsync(UidSet.FromUids([uids[9]]), FlagOperation.Add, MessageFlags.Deleted, [], null, default)).IsSuccess.Should().BeTrue();
        (await otherView.ExpungeAsync(null, default)).IsSuccess.Should().BeTrue();

        (await SearchAsync(new FlagCriterion(MessageFlags.Seen, false))).Should().Equal(uids.Except([uids[2], uids[7], uids[9]]));
        (await SearchAsync(new KeywordCriterion("$junk", true))).Should().Equal(uids[2], uids[7]);
        (await SearchAsync(new SizeCriterion(SizeComparison.Larger, TestMessages.Simple("m15", body: new string('x', 1500)).Length - 1))).Should().Equal(uids.Skip(15));

        // A sent-date search reads the Date header's column from the contents rows instead: the same messages.
        (await SearchAsync(new DateCriterion(SearchDateField.Sent, DateComparison.On, new DateOnly(1994, 2, 7)))).Should().Equal(uids.Except([uids[9]]));

        // EMAILID is not in the search rows kept for large mailboxes: found all the same.
        var emailId = (await FetchAsync(view, UidSet.FromUids([uids[4]]), FetchOptions.Default)).Single().EmailId;
        (await SearchAsync(new AndCriterion([new ObjectIdCriterion(ObjectIdKind.EmailId, emailId), new FlagCriterion(MessageFlags.Seen, false)]))).Should().Equal(uids[4]);
    }

    [Theory]
    [InlineData(3L * 1024 * 1024, -3072L)]
    [InlineData(0L, -2000L)]
    public async Task Each_reader_keeps_the_configured_page_cache(long cacheBytes, long pragma)
    {
        // -2000 is SQLite's own default (2,000 KiB), which zero leaves in place.
        var options = new SqliteMailStoreOptions { DataDirectory = Path.Combine(_directory, "cache" + cacheBytes), ReaderCacheBytes = cacheBytes };
        await using var store = await SqliteMailStore.OpenAsync(options, null, Clock, default);

        (await store.ReadAsync(db => db.Long("PRAGMA cache_size"), default)).Should().Be(pragma);
    }

    [Fact]
    public void A_negative_reader_cache_is_refused()
    {
        var options = new SqliteMailStoreOptions { DataDirectory = Path.Combine(_directory, "negative"), ReaderCacheBytes = -1 };

        FluentActions.Invoking(() => new SqliteMailStore(options)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("ReaderCacheBytes");
    }

    [Fact]
    public async Task Text_search_answers_the_same_before_and_after_the_background_index_takes_the_text()
    {
        // New text waits in text_pending until a background batch indexes it; SEARCH reads both, so the answer
        // never depends on whether the batch has run. Released content leaves the index in a later batch.
        var store = (SqliteMailStore)await CreateStoreAsync();
        var account = await OpenAsync(store);
        var a = await AppendAsync(account, "INBOX", TestMessages.Simple("Quarterly report", "Numbers are up. Grüße\r\n"));
        var b = await AppendAsync(account, "INBOX", TestMessages.Simple("Lunch?", "Pizza 100%_off\r\n"));
        var view = await SelectAsync(account, "INBOX");
        SearchCriteria[] criteria =
        [
            new TextCriterion(TextScope.Body, "numbers"),
            new TextCriterion(TextScope.Body, "UP"),
            new TextCriterion(TextScope.Text, "lunch"),
            new TextCriterion(TextScope.Body, "lunch"),
            new TextCriterion(TextScope.Body, "%"),
            new TextCriterion(TextScope.Body, "GRÜSSE"),
            new TextCriterion(TextScope.Body, "grüße"),
            new HeaderCriterion("Subject", "REPORT"),
            new TextCriterion(TextScope.Text, ""),
        ];
        async Task<string> AnswersAsync() => string.Join(" | ", await Task.WhenAll(criteria.Select(async c => string.Join(",", (await view.SearchAsync(c, default)).Value.Uids))));

        var expected = $"{a.Uid} | {a.Uid} | {b.Uid} |  | {b.Uid} |  | {a.Uid} | {a.Uid} | {a.Uid},{b.Uid}";
        (await AnswersAsync()).Should().Be(expected);
        while (await store.IndexPendingTextAsync(1, default) > 0)
        {
        }

        (await store.ReadAsync(db => db.Long("SELECT COUNT(*) FROM text_pending"), default)).Should().Be(0);
        (await store.ReadAsync(db => db.Long("SELECT COUNT(*) FROM content_text"), default)).Should().Be(2);
        (await AnswersAsync()).Should().Be(expected, "the index answers as the pending rows did");

        (await view.StoreFlagsAsync(UidSet.Of(a.Uid), FlagOperation.Add, MessageFlags.Deleted, [], null, default)).IsSuccess.Should().BeTrue();
        (await view.ExpungeAsync(null, default)).IsSuccess.Should().BeTrue();
        (await view.SearchAsync(new TextCriterion(TextScope.Body, "numbers"), default)).Value.Uids.Should().BeEmpty();
        while (await store.IndexPendingTextAsync(10, default) > 0)
        {
        }

        (await store.ReadAsync(db => db.Long("SELECT COUNT(*) FROM content_text"), default)).Should().Be(1, "the expunged message's text left the index");
        (await store.ReadAsync(db => db.Long("SELECT COUNT(*) FROM text_released"), default)).Should().Be(0);
    }

    private static string[] BlobFiles(string blobs) =>
        Directory.EnumerateFiles(blobs, "*", SearchOption.AllDirectories).Where(f => !Path.GetRelativePath(blobs, f).StartsWith("tmp", StringComparison.Ordinal)).ToArray();

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
