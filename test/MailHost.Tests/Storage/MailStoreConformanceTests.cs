using System.Security.Cryptography;
using System.Text;
using MailHost.Storage;
using MailHost.Storage.Search;

using MailHost.TestSupport;

namespace MailHost.Tests.Storage;

/// <summary>The store contract. Every store runs this suite through a derived class.</summary>
public abstract partial class MailStoreConformanceTests : IAsyncLifetime
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly List<IMailStore> _stores = [];

    protected FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2025, 3, 10, 12, 0, 0, TimeSpan.Zero));

    /// <summary>A new, empty store using <see cref="Clock"/>.</summary>
    protected abstract Task<IMailStore> CreateStoreCoreAsync(QuotaLimits? defaultQuota);

    /// <summary>Closes <paramref name="store"/> and opens the same data again (a restart).</summary>
    protected abstract Task<IMailStore> ReopenStoreCoreAsync(IMailStore store);

    /// <summary>Whether message content lives in process memory (then the 100 MB test allows one copy).</summary>
    protected virtual bool ContentLivesInMemory => false;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }
    }

    protected async Task<IMailStore> CreateStoreAsync(QuotaLimits? quota = null)
    {
        var store = await CreateStoreCoreAsync(quota).WaitAsync(Timeout);
        _stores.Add(store);
        return store;
    }

    protected async Task<IMailStore> ReopenAsync(IMailStore store)
    {
        _stores.Remove(store);
        var reopened = await ReopenStoreCoreAsync(store).WaitAsync(Timeout);
        _stores.Add(reopened);
        return reopened;
    }

    protected static async Task<IMailAccount> OpenAsync(IMailStore store, string account = "alice")
        => (await store.OpenAccountAsync(account, default).AsTask().WaitAsync(Timeout)).Value;

    protected static async Task<AppendResult> AppendAsync(IMailAccount account, string mailbox, byte[] message, AppendOptions? options = null)
    {
        var result = await account.AppendAsync(mailbox, TestMessages.Stream(message), options ?? AppendOptions.Default, default).AsTask().WaitAsync(Timeout);
        result.Error.Should().BeNull();
        return result.Value;
    }

    protected static async Task<IMailboxView> SelectAsync(IMailAccount account, string mailbox, bool examine = false)
    {
        var result = await account.OpenMailboxAsync(mailbox, examine, default).AsTask().WaitAsync(Timeout);
        result.Error.Should().BeNull();
        return result.Value;
    }

    protected static async Task<List<MessageData>> FetchAsync(IMailboxView view, UidSet uids, FetchOptions? options = null)
    {
        var list = new List<MessageData>();
        await foreach (var m in view.FetchAsync(uids, options ?? FetchOptions.Default, default))
        {
            list.Add(m);
        }

        return list;
    }

    protected static async Task<byte[]> ReadAsync(MessageContent content, long offset = 0, long length = long.MaxValue)
    {
        var stream = await content.OpenAsync(offset, Math.Min(length, content.Length), default).AsTask().WaitAsync(Timeout);
        stream.Should().NotBeNull();
        await using (stream!)
        {
            using var ms = new MemoryStream();
            await stream.CopyToAsync(ms).WaitAsync(Timeout);
            return ms.ToArray();
        }
    }

    [StoreFact]
    public async Task New_account_has_INBOX_and_special_use_mailboxes_all_subscribed()
    {
        var account = await OpenAsync(await CreateStoreAsync());
        var list = await account.ListMailboxesAsync(default);
        list.Select(m => m.Name).Should().BeEquivalentTo("INBOX", "Sent", "Drafts", "Trash", "Junk", "Archive");
        list.Should().OnlyContain(m => (m.Attributes & MailboxAttributes.Subscribed) != 0);
        list.Single(m => m.Name == "Sent").Attributes.Should().HaveFlag(MailboxAttributes.Sent);
        list.Single(m => m.Name == "Drafts").Attributes.Should().HaveFlag(MailboxAttributes.Drafts);
        list.Single(m => m.Name == "Trash").Attributes.Should().HaveFlag(MailboxAttributes.Trash);
        list.Single(m => m.Name == "Junk").Attributes.Should().HaveFlag(MailboxAttributes.Junk);
        list.Single(m => m.Name == "Archive").Attributes.Should().HaveFlag(MailboxAttributes.Archive);
        (await account.ListSubscriptionsAsync(default)).Should().HaveCount(6);
    }

    [StoreFact]
    public async Task Append_assigns_increasing_uids_and_reads_back_byte_exact()
    {
        var account = await OpenAsync(await CreateStoreAsync());
        var first = TestMessages.Simple("one");
        var second = TestMessages.Simple("two");
        var a = await AppendAsync(account, "inbox", first, new AppendOptions(MessageFlags.Seen, ["$Forwarded"], new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.FromHours(2))));
        var b = await AppendAsync(account, "INBOX", second);
        a.Uid.Should().Be(1);
        b.Uid.Should().BeGreaterThan(a.Uid);
        a.UidValidity.Should().Be(b.UidValidity).And.NotBe(0);
        a.EmailId.Should().NotBe(b.EmailId).And.MatchRegex("^[A-Za-z0-9_-]{1,255}$");

        var view = await SelectAsync(account, "INBOX");
        view.Snapshot.Uids.Should().Equal(a.Uid, b.Uid);
        view.Snapshot.UidNext.Should().BeGreaterThan(b.Uid);
        var messages = await FetchAsync(view, UidSet.All);
        messages.Should().HaveCount(2);
        messages[0].Flags.Should().Be(MessageFlags.Seen);
        messages[0].Keywords.Should().Equal("$Forwarded");
        messages[0].InternalDate.Should().Be(new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)));
        messages[0].Size.Should().Be(first.Length);
        (await ReadAsync(messages[0].Content)).Should().Equal(first);
        (await ReadAsync(messages[1].Content)).Should().Equal(second);
        messages[1].InternalDate.Should().Be(Clock.GetUtcNow());
    }

    [StoreFact]
    public async Task Append_to_missing_mailbox_is_NotFound_for_TRYCREATE()
    {
        var account = await OpenAsync(await CreateStoreAsync());
        var result = await account.AppendAsync("Nope", TestMessages.Stream(TestMessages.Simple()), AppendOptions.Default, default);
        result.Error!.Code.Should().Be(StoreErrorCode.NotFound);
    }

    [StoreFact]
    public async Task Uids_are_never_reused_after_expunge_or_across_a_reopen()
    {
        var store = await CreateStoreAsync();
        var account = await OpenAsync(store);
        var a = await AppendAsync(account, "INBOX", TestMessages.Simple("a"), new AppendOptions(MessageFlags.Deleted));
        var b = await AppendAsync(account, "INBOX", TestMessages.Simple("b"), new AppendOptions(MessageFlags.Deleted));
        var view = await SelectAsync(account, "INBOX");
        (await view.ExpungeAsync(null, default)).Value.Expunged.Should().Equal(a.Uid, b.Uid);
        await view.DisposeAsync();
        var c = await AppendAsync(account, "INBOX", TestMessages.Simple("c"));
        c.Uid.Should().BeGreaterThan(b.Uid);

        store = await ReopenAsync(store);
        account = await OpenAsync(store);
        var status = (await account.GetStatusAsync("INBOX", default)).Value;
        status.UidNext.Should().BeGreaterThan(c.Uid);
        status.UidValidity.Should().Be(a.UidValidity);
        var d = await AppendAsync(account, "INBOX", TestMessages.Simple("d"));
        d.Uid.Should().BeGreaterThan(c.Uid);
        d.UidValidity.Should().Be(a.UidValidity);
        view = await SelectAsync(account, "INBOX");
        (await ReadAsync((await FetchAsync(view, UidSet.Of(c.Uid)))[0].Content)).Should().Equal(TestMessages.Simple("c"));
    }

    [StoreFact]
    public async Task Uidvalidity_is_fresh_for_a_recreated_name_and_kept_by_rename()
    {
        var account = await OpenAsync(await CreateStoreAsync());
        (await account.CreateMailboxAsync("Work", MailboxAttributes.None, default)).IsSuccess.Should().BeTrue();
        var first = (await account.GetStatusAsync("Work", default)).Value;
        first.UidValidity.Should().NotBe(0);
        first.UidNext.Should().Be(1);
        (await account.DeleteMailboxAsync("Work", default)).IsSuccess.Should().BeTrue();
        (await account.CreateMailboxAsync("Work", MailboxAttributes.None, default)).IsSuccess.Should().BeTrue();
        var second = (await account.GetStatusAsync("Work", default)).Value;
        second.UidValidity.Should().BeGreaterThan(first.UidValidity);

        (await account.RenameMailboxAsync("Work", "Job", default)).IsSuccess.Should().BeTrue();
        (await account.GetStatusAsync("Job", default)).Value.UidValidity.Should().Be(second.UidValidity);
        (await account.CreateMailboxAsync("Work", MailboxAttributes.None, default)).IsSuccess.Should().BeTrue();
        (await account.GetStatusAsync("Work", default)).Value.UidValidity.Should().NotBe(second.UidValidity).And.NotBe(first.UidValidity);
    }

    [StoreFact]
    public async Task Modseq_rises_on_every_change_and_not_on_a_no_op()
    {
        var account = await OpenAsync(await CreateStoreAsync());
        var m0 = (await account.GetStatusAsync("INBOX", default)).Value.HighestModSeq;
        var a = await AppendAsync(account, "INBOX", TestMessages.Simple());
        var m1 = (await account.GetStatusAsync("INBOX", default)).Value.HighestModSeq;
        m1.Should().BeGreaterThan(m0);
        var view = await SelectAsync(account, "INBOX");
        var stored = (await view.StoreFlagsAsync(UidSet.Of(a.Uid), FlagOperation.Add, MessageFlags.Seen, [], null, default)).Value;
        stored.Messages.Single().Changed.Should().BeTrue();
        stored.Messages.Single().ModSeq.Should().BeGreaterThan(m1);
        var m2 = stored.HighestModSeq;
        var again = (await view.StoreFlagsAsync(UidSet.Of(a.Uid), FlagOperation.Add, MessageFlags.Seen, [], null, default)).Value;
        again.Messages.Single().Changed.Should().BeFalse();
        again.HighestModSeq.Should().Be(m2);
        var kw = (await view.StoreFlagsAsync(UidSet.Of(a.Uid), FlagOperation.Add, MessageFlags.None, ["Work"], null, default)).Value;
        kw.HighestModSeq.Should().BeGreaterThan(m2);
        await view.StoreFlagsAsync(UidSet.Of(a.Uid), FlagOperation.Add, MessageFlags.Deleted, [], null, default);
        var m3 = (await account.GetStatusAsync("INBOX", default)).Value.HighestModSeq;
        var expunged = (await view.ExpungeAsync(null, default)).Value;
        expunged.HighestModSeq.Should().BeGreaterThan(m3);
        (await view.GetVanishedAsync(m3, default)).Value.Should().Equal(a.Uid);
        (await view.GetVanishedAsync(expunged.HighestModSeq, default)).Value.Should().BeEmpty();
    }

    [StoreFact]
    public async Task Unchangedsince_reports_modified_messages_and_leaves_them_alone()
    {
        var account = await OpenAsync(await CreateStoreAsync());
        var a = await AppendAsync(account, "INBOX", TestMessages.Simple("a"));
        var b = await AppendAsync(account, "INBOX", TestMessages.Simple("b"));
        var view = await SelectAsync(account, "INBOX");
        var before = view.Snapshot.HighestModSeq;
        await view.StoreFlagsAsync(UidSet.Of(b.Uid), FlagOperation.Add, MessageFlags.Flagged, [], null, default);
        var result = (await view.StoreFlagsAsync(UidSet.Range(a.Uid, b.Uid), FlagOperation.Add, MessageFlags.Seen, [], before, default)).Value;
        result.Modified.Should().Equal(b.Uid);
        result.Messages.Select(m => m.Uid).Should().Equal(a.Uid);
        var fetched = await FetchAsync(view, UidSet.Of(b.Uid));
        fetched[0].Flags.Should().Be(MessageFlags.Flagged);
    }

    [StoreFact]
    public async Task Many_tasks_appending_to_one_mailbox_get_distinct_increasing_uids()
    {
        var account = await OpenAsync(await CreateStoreAsync());
        const int Writers = 8, Each = 15;
        var tasks = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var uids = new List<uint>();
            for (var i = 0; i < Each; i++)
            {
                uids.Add((await AppendAsync(account, "INBOX", TestMessages.Simple($"w{w} m{i}"))).Uid);
            }

            return uids;
        })).ToList();
        var all = (await Task.WhenAll(tasks).WaitAsync(Timeout)).ToList();
        foreach (var perWriter in all)
        {
            perWriter.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        }

        var flat = all.SelectMany(u => u).ToList();
        flat.Should().OnlyHaveUniqueItems().And.HaveCount(Writers * Each);
        var view = await SelectAsync(account, "INBOX");
        view.Snapshot.Uids.Should().BeEquivalentTo(flat);
        var messages = await FetchAsync(view, UidSet.All);
        foreach (var m in messages)
        {
            Encoding.UTF8.GetString(await ReadAsync(m.Content)).Should().Contain("Subject: w");
        }
    }

    [StoreFact]
    public async Task Copy_returns_copyuid_data_and_keeps_content_flags_and_emailid()
    {
        var account = await OpenAsync(await CreateStoreAsync());
        var a = await AppendAsync(account, "INBOX", TestMessages.Simple("a"), new AppendOptions(MessageFlags.Flagged, ["Project"]));
        var b = await AppendAsync(account, "INBOX", TestMessages.Simple("b"));
        var view = await SelectAsync(account, "INBOX");
        var copy = (await view.CopyAsync(UidSet.FromUids([a.Uid, b.Uid, 999]), "Archive", default)).Value;
        var archive = (await account.GetStatusAsync("Archive", default)).Value;
        copy.DestinationUidValidity.Should().Be(archive.UidValidity);
        copy.SourceUids.Should().Equal(a.Uid, b.Uid);
        copy.DestinationUids.Should().HaveCount(2).And.BeInAscendingOrder();
        var target = await SelectAsync(account, "Archive");
        var copied = await FetchAsync(target, UidSet.All);
        copied[0].Flags.Should().Be(MessageFlags.Flagged);
        copied[0].Keywords.Should().Equal("Project");
        copied[0].EmailId.Should().Be(a.EmailId);
        (await ReadAsync(copied[1].Content)).Should().Equal(TestMessages.Simple("b"));
        view.Snapshot.Uids.Should().HaveCount(2);
        (await view.CopyAsync(UidSet.Of(a.Uid), "Missing", default)).Error!.Code.Should().Be(StoreErrorCode.NotFound);
    }

    [StoreFact]
    public async Task Move_is_atomic_and_other_views_see_the_expunge()
    {
        var account = await OpenAsync(await CreateStoreAsync());
        var a = await AppendAsync(account, "INBOX", TestMessages.Simple("a"));
        var b = await AppendAsync(account, "INBOX", TestMessages.Simple("b"));
        var mover = await SelectAsync(account, "INBOX");
        var watcher = await SelectAsync(account, "INBOX");
        var moved = (await mover.MoveAsync(UidSet.Of(a.Uid), "Trash", default)).Value;
        moved.SourceUids.Should().Equal(a.Uid);
        mover.Snapshot.Uids.Should().Equal(b.Uid);
        (await FetchAsync(mover, UidSet.All)).Select(m => m.Uid).Should().Equal(b.Uid);
        var trash = await SelectAsync(account, "Trash");
        trash.Snapshot.Uids.Should().Equal(moved.DestinationUids);

        await watcher.WaitForChangesAsync(default).AsTask().WaitAsync(Timeout);
        var changes = (await watcher.PollChangesAsync(default)).Value;
        changes.Changes.Should().ContainSingle(c => c.Kind == MailboxChangeKind.Expunged && c.Uid == a.Uid);
        watcher.Snapshot.Uids.Should().Equal(b.Uid);
        (await mover.PollChangesAsync(default)).Value.Changes.Should().BeEmpty("the mover already knows its own expunge");
        (await mover.CopyAsync(UidSet.All, "INBOX", default)).Value.DestinationUids.Should().ContainSingle().Which.Should().BeGreaterThan(b.Uid);
    }

    [StoreFact]
    public async Task Expunge_removes_only_deleted_messages_and_uid_expunge_only_those_listed()
    {
        var account = await OpenAsync(await CreateStoreAsync());
        var a = await AppendAsync(account, "INBOX", TestMessages.Simple("a"), new AppendOptions(MessageFlags.Deleted));
        var b = await AppendAsync(account, "INBOX", TestMessages.Simple("b"), new AppendOptions(MessageFlags.Deleted));
        var c = await AppendAsync(account, "INBOX", TestMessages.Simple("c"));
        var view = await SelectAsync(account, "INBOX");
        (await view.ExpungeAsync(UidSet.Of(b.Uid), default)).Value.Expunged.Should().Equal(b.Uid);
        (await view.ExpungeAsync(null, default)).Value.Expunged.Should().Equal(a.Uid);
        view.Snapshot.Uids.Should().Equal(c.Uid);
        var readOnly = await SelectAsync(account, "INBOX", examine: true);
        (await readOnly.ExpungeAsync(null, default)).Error!.Code.Should().Be(StoreErrorCode.ReadOnly);
        (await readOnly.StoreFlagsAsync(UidSet.All, FlagOperation.Add, MessageFlags.Seen, [], null, default)).Error!.Code.Should().Be(StoreErrorCode.ReadOnly);
        readOnly.Snapshot.ReadOnly.Should().BeTrue();
    }

    [StoreFact]
    public async Task A_view_acts_on_its_snapshot_until_it_takes_the_changes()
    {
        var store = await CreateStoreAsync();
        var account = await OpenAsync(store);
        var a = await AppendAsync(account, "INBOX", TestMessages.Simple("known"), new AppendOptions(MessageFlags.Deleted));
        var view = await SelectAsync(account, "INBOX");
        var b = await AppendAsync(account, "INBOX", TestMessages.Simple("arrived later"), new AppendOptions(MessageFlags.Deleted));
        (await FetchAsync(view, UidSet.All)).Select(m => m.Uid).Should().Equal(a.Uid);
        (await view.SearchAsync(AllCriterion.Instance, default)).Value.Uids.Should().Equal(a.Uid);
        (await view.StoreFlagsAsync(UidSet.All, FlagOperation.Add, MessageFlags.Seen, [], null, default)).Value.Messages.Select(m => m.Uid).Should().Equal(a.Uid);
        (await view.CopyAsync(UidSet.All, "Archive", default)).Value.SourceUids.Should().Equal(a.Uid);
        (await view.ExpungeAsync(null, default)).Value.Expunged.Should().Equal(a.Uid);
        var changes = (await view.PollChangesAsync(default)).Value;
        changes.Changes.Should().ContainSingle(c => c.Kind == MailboxChangeKind.Appended).Which.Uid.Should().Be(b.Uid);
        (await view.ExpungeAsync(null, default)).Value.Expunged.Should().Equal(b.Uid);
    }

    [StoreFact]
    public async Task Create_makes_superiors_and_refuses_duplicates()
    {
        var account = await OpenAsync(await CreateStoreAsync());
        (await account.CreateMailboxAsync("a/b/c", MailboxAttributes.None, default)).IsSuccess.Should().BeTrue();
        var names = (await account.ListMailboxesAsync(default)).ToDictionary(m => m.Name, m => m.Attributes);
        names.Should().ContainKeys("a", "a/b", "a/b/c");
        names["a"].Should().HaveFlag(MailboxAttributes.HasChildren);
        names["a/b/c"].Should().HaveFlag(MailboxAttributes.HasNoChildren);
        (await account.CreateMailboxAsync("a/b", MailboxAttributes.None, default)).Error!.Code.Should().Be(StoreErrorCode.AlreadyExists);
        (await account.CreateMailboxAsync("inbox", MailboxAttributes.None, default)).Error!.Code.Should().Be(StoreErrorCode.AlreadyExists);
        (await account.CreateMailboxAsync("All Mail", MailboxAttributes.All, default)).IsSuccess.Should().BeTrue();
        (await account.ListMailboxesAsync(default)).Single(m => m.Name == "All Mail").Attributes.Should().HaveFlag(MailboxAttributes.All);
    }

    [StoreFact]
    public async Task Delete_follows_the_hierarchy_rules()
    {
        var account = await OpenAsync(await CreateStoreAsync());
        (await account.DeleteMailboxAsync("INBOX", default)).Error!.Code.Should().Be(StoreErrorCode.NotAllowed);
        (await account.DeleteMailboxAsync("inbox", default)).Error!.Code.Should().Be(StoreErrorCode.NotAllowed);
        (await account.DeleteMailboxAsync("Nope", default)).Error!.Code.Should().Be(StoreErrorCode.NotFound);
        await account.CreateMailboxAsync("p/q", MailboxAttributes.None, default);
        await AppendAsync(account, "p", TestMessages.Simple());
        (await account.DeleteMailboxAsync("p", default)).IsSuccess.Should().BeTrue();
        var p = (await account.ListMailboxesAsync(default)).Single(m => m.Name == "p");
        p.Attributes.Should().HaveFlag(MailboxAttributes.Noselect);
        (await account.GetStatusAsync("p", default)).Error!.Code.Should().Be(StoreErrorCode.NotFound);
        (await account.CheckMailboxAsync("p", default)).Error!.Code.Should().Be(StoreErrorCode.NotFound, "a \\Noselect mailbox takes no messages");
        (await account.CheckMailboxAsync("p/q", default)).IsSuccess.Should().BeTrue();
        (await account.CheckMailboxAsync("inbox", default)).IsSuccess.Should().BeTrue();
        (await account.CheckMailboxAsync("Nope", default)).Error!.Code.Should().Be(StoreErrorCode.NotFound);
        (await account.OpenMailboxAsync("p", false, default)).Error!.Code.Should().Be(StoreErrorCode.NotFound);
        (await account.DeleteMailboxAsync("p", default)).Error!.Code.Should().Be(StoreErrorCode.HasChildren);
        (await account.DeleteMailboxAsync("p/q", default)).IsSuccess.Should().BeTrue();
        (await account.DeleteMailboxAsync("p", default)).IsSuccess.Should().BeTrue();
        (await account.ListMailboxesAsync(default)).Should().NotContain(m => m.Name.StartsWith('p'));
        (await account.GetQuotaAsync()).MessagesUsed.Should().Be(0);
    }

    [StoreFact]
    public async Task Deleting_a_selected_mailbox_ends_its_views()
    {
        var account = await OpenAsync(await CreateStoreAsync());
        await account.CreateMailboxAsync("Gone", MailboxAttributes.None, default);
        var view = await SelectAsync(account, "Gone");
        await account.DeleteMailboxAsync("Gone", default);
        await view.WaitForChangesAsync(default).AsTask().WaitAsync(Timeout);
        (await view.PollChangesAsync(default)).Error!.Code.Should().Be(StoreErrorCode.NotFound);
        // A new mailbox (even under the same name) is never mistaken for the deleted one.
        await account.CreateMailboxAsync("Gone", MailboxAttributes.None, default);
        await account.CreateMailboxAsync("Other", MailboxAttributes.None, default);
        await AppendAsync(account, "Gone", TestMessages.Simple());
        await AppendAsync(account, "Other", TestMessages.Simple());
        (await view.PollChangesAsync(default)).Error!.Code.Should().Be(StoreErrorCode.NotFound);
        (await FetchAsync(view, UidSet.All)).Should().BeEmpty();
    }

    [StoreFact]
    public async Task Rename_moves_children_and_subscriptions_and_refuses_bad_targets()
    {
        var account = await OpenAsync(await CreateStoreAsync());
        await account.CreateMailboxAsync("Projects/One", MailboxAttributes.None, default);
        await account.SubscribeAsync("Projects/One", default);
        var a = await AppendAsync(account, "Projects/One", TestMessages.Simple("p1"));
        (await account.RenameMailboxAsync("Projects", "Work/Old", default)).IsSuccess.Should().BeTrue();
        var names = (await account.ListMailboxesAsync(default)).Select(m => m.Name).ToList();
        names.Should().Contain(["Work", "Work/Old", "Work/Old/One"]).And.NotContain(["Projects", "Projects/One"]);
        (await account.ListSubscriptionsAsync(default)).Should().Contain("Work/Old/One").And.NotContain("Projects/One");
        var view = await SelectAsync(account, "Work/Old/One");
        view.Snapshot.Uids.Should().Equal(a.Uid);
        (await account.RenameMailboxAsync("Work", "Work/Sub", default)).Error!.Code.Should().Be(StoreErrorCode.NotAllowed);
        (await account.RenameMailboxAsync("Work", "Sent", default)).Error!.Code.Should().Be(StoreErrorCode.AlreadyExists);
        (await account.RenameMailboxAsync("Nope", "Other", default)).Error!.Code.Should().Be(StoreErrorCode.NotFound);
        (await account.RenameMailboxAsync("Sent", "Sent Items", default)).IsSuccess.Should().BeTrue();
        (await account.ListMailboxesAsync(default)).Single(m => m.Name == "Sent Items").Attributes.Should().HaveFlag(MailboxAttributes.Sent);
    }

    [StoreFact]
    public async Task Rename_INBOX_moves_its_messages_and_leaves_INBOX_empty()
    {
        var account = await OpenAsync(await CreateStoreAsync());
        await AppendAsync(account, "INBOX", TestMessages.Simple("x"));
        await AppendAsync(account, "INBOX", TestMessages.Simple("y"));
        await account.CreateMailboxAsync("INBOX/Child", MailboxAttributes.None, default);
        var before = (await account.GetStatusAsync("INBOX", default)).Value;
        (await account.RenameMailboxAsync("inbox", "Old Inbox", default)).IsSuccess.Should().BeTrue();
        var inbox = (await account.GetStatusAsync("INBOX", default)).Value;
        inbox.Messages.Should().Be(0);
        inbox.UidValidity.Should().Be(before.UidValidity);
        inbox.UidNext.Should().Be(before.UidNext);
        (await account.GetStatusAsync("Old Inbox", default)).Value.Messages.Should().Be(2);
        (await account.GetStatusAsync("INBOX/Child", default)).IsSuccess.Should().BeTrue();
        var view = await SelectAsync(account, "Old Inbox");
        var data = await FetchAsync(view, UidSet.All);
        Encoding.UTF8.GetString(await ReadAsync(data[0].Content)).Should().Contain("Subject: x");
    }

    public static TheoryData<string> BadNames =>
    [
        "", "../../x", "..", ".", "a/../../b", "a/./b", "/etc/x", "a//b", "a/", "/", "x\0y", "x\r\ny", "x\ny", "tab\there",
        "del\u007f", "c1\u0085", "a*", "b%c", new string('a', 2000), string.Join('/', Enumerable.Repeat("d", 100)),
    ];

    [StoreTheory]
    [MemberData(nameof(BadNames))]
    public async Task Bad_mailbox_names_are_refused_everywhere(string name)
    {
        var account = await OpenAsync(await CreateStoreAsync());
        (await account.CreateMailboxAsync(name, MailboxAttributes.None, default)).Error!.Code.Should().Be(StoreErrorCode.InvalidName);
        (await account.RenameMailboxAsync("INBOX", name, default)).Error!.Code.Should().Be(StoreErrorCode.InvalidName);
        (await account.RenameMailboxAsync("Sent", name, default)).Error!.Code.Should().Be(StoreErrorCode.InvalidName);
        (await account.SubscribeAsync(name, default)).Error!.Code.Should().Be(StoreErrorCode.InvalidName);
        (await account.CheckMailboxAsync(name, default)).Error!.Code.Should().Be(StoreErrorCode.InvalidName);
        (await account.AppendAsync(name, TestMessages.Stream(TestMessages.Simple()), AppendOptions.Default, default)).Error!.Code.Should().Be(StoreErrorCode.InvalidName);
        (await account.ListMailboxesAsync(default)).Should().HaveCount(6);
    }

    [StoreFact]
    public async Task Accounts_with_prefix_names_do_not_see_each_other()
    {
        var store = await CreateStoreAsync();
        var admin = await OpenAsync(store, "admin");
        var adm = await OpenAsync(store, "adm");
        await admin.CreateMailboxAsync("Secret", MailboxAttributes.None, default);
        await AppendAsync(admin, "INBOX", TestMessages.Simple("for admin"));
        (await adm.GetStatusAsync("Secret", default)).Error!.Code.Should().Be(StoreErrorCode.NotFound);
        (await adm.GetStatusAsync("INBOX", default)).Value.Messages.Should().Be(0);
    }

    [StoreFact]
    public async Task Quota_limits_storage_and_message_count()
    {
        var message = TestMessages.Simple();
        var store = await CreateStoreAsync(new QuotaLimits(null, 2));
        var account = await OpenAsync(store);
        await AppendAsync(account, "INBOX", message);
        await AppendAsync(account, "Sent", message);
        var quota = await account.GetQuotaAsync();
        quota.Should().Be(new QuotaUsage(message.Length * 2L, null, 2, 2));
        (await account.AppendAsync("INBOX", TestMessages.Stream(message), AppendOptions.Default, default)).Error!.Code.Should().Be(StoreErrorCode.OverQuota);
        var view = await SelectAsync(account, "INBOX");
        (await view.CopyAsync(UidSet.All, "Archive", default)).Error!.Code.Should().Be(StoreErrorCode.OverQuota);

        (await store.SetQuotaLimitsAsync("alice", new QuotaLimits(message.Length * 3L, null), default)).IsSuccess.Should().BeTrue();
        await AppendAsync(account, "INBOX", message);
        (await account.AppendAsync("INBOX", TestMessages.Stream(message), AppendOptions.Default, default)).Error!.Code.Should().Be(StoreErrorCode.OverQuota);
        await view.PollChangesAsync(default);
        await view.StoreFlagsAsync(UidSet.All, FlagOperation.Add, MessageFlags.Deleted, [], null, default);
        await view.ExpungeAsync(null, default);
        (await account.GetQuotaAsync()).Should().Be(new QuotaUsage(message.Length, message.Length * 3L, 1, null));
    }

    [StoreFact]
    public async Task Messages_larger_than_the_limit_are_TooBig()
    {
        var store = await CreateStoreAsync();
        var account = await OpenAsync(store);
        var result = await account.AppendAsync("INBOX", new GeneratedMessageStream(store.Limits.MaxMessageSize + 1), AppendOptions.Default, default).AsTask().WaitAsync(TimeSpan.FromMinutes(2));
        result.Error!.Code.Should().Be(StoreErrorCode.TooBig);
        (await account.GetStatusAsync("INBOX", default)).Value.Messages.Should().Be(0);
    }

    [StoreFact]
    public async Task Keywords_are_validated_and_bounded_per_mailbox()
    {
        var store = await CreateStoreAsync();
        var account = await OpenAsync(store);
        var a = await AppendAsync(account, "INBOX", TestMessages.Simple());
        var view = await SelectAsync(account, "INBOX");
        (await view.StoreFlagsAsync(UidSet.Of(a.Uid), FlagOperation.Add, MessageFlags.None, ["bad keyword"], null, default)).Error!.Code.Should().Be(StoreErrorCode.InvalidArgument);
        (await view.StoreFlagsAsync(UidSet.Of(a.Uid), FlagOperation.Add, MessageFlags.None, ["\\Seen"], null, default)).Error!.Code.Should().Be(StoreErrorCode.InvalidArgument);
        var max = store.Limits.MaxKeywordsPerMailbox;
        var many = Enumerable.Range(0, max).Select(i => $"k{i}").ToList();
        (await view.StoreFlagsAsync(UidSet.Of(a.Uid), FlagOperation.Add, MessageFlags.None, many, null, default)).IsSuccess.Should().BeTrue();
        (await view.StoreFlagsAsync(UidSet.Of(a.Uid), FlagOperation.Add, MessageFlags.None, ["one-too-many"], null, default)).Error!.Code.Should().Be(StoreErrorCode.LimitExceeded);
        (await view.StoreFlagsAsync(UidSet.Of(a.Uid), FlagOperation.Remove, MessageFlags.None, ["K1"], null, default)).Value.Messages.Single().Keywords.Should().HaveCount(max - 1);
        var changes = (await view.PollChangesAsync(default)).Value;
        changes.KeywordsChanged.Should().BeTrue();
        changes.Snapshot.Keywords.Should().HaveCount(max);
        changes.Snapshot.CanCreateKeywords.Should().BeFalse();
    }

    [StoreFact]
    public async Task Search_evaluates_every_kind_of_key()
    {
        var account = await OpenAsync(await CreateStoreAsync());
        var a = await AppendAsync(account, "INBOX", TestMessages.Simple("Quarterly report", "Numbers are up.\r\n", from: "Carol <carol@corp.example>"), new AppendOptions(MessageFlags.Seen, ["Work"], new DateTimeOffset(2024, 5, 1, 23, 30, 0, TimeSpan.FromHours(-5))));
        Clock.Advance(TimeSpan.FromHours(2));
        var b = await AppendAsync(account, "INBOX", TestMessages.Multipart(), new AppendOptions(MessageFlags.Flagged | MessageFlags.Deleted));
        var c = await AppendAsync(account, "INBOX", TestMessages.Simple("Lunch?", "Pizza 100%_off \\o/\r\n", date: "Tue, 2 Jan 2024 10:00:00 +0000"));
        var view = await SelectAsync(account, "INBOX");

        async Task<IReadOnlyList<uint>> SearchUidsAsync(SearchCriteria criteria) => (await view.SearchAsync(criteria, default)).Value.Uids;

        (await SearchUidsAsync(AllCriterion.Instance)).Should().Equal(a.Uid, b.Uid, c.Uid);
        (await SearchUidsAsync(new FlagCriterion(MessageFlags.Seen, true))).Should().Equal(a.Uid);
        (await SearchUidsAsync(new FlagCriterion(MessageFlags.Seen, false))).Should().Equal(b.Uid, c.Uid);
        (await SearchUidsAsync(new FlagCriterion(MessageFlags.Deleted, true))).Should().Equal(b.Uid);
        (await SearchUidsAsync(new KeywordCriterion("work", true))).Should().Equal(a.Uid);
        (await SearchUidsAsync(new KeywordCriterion("Work", false))).Should().Equal(b.Uid, c.Uid);
        (await SearchUidsAsync(new HeaderCriterion("From", "CORP.example"))).Should().Equal(a.Uid);
        (await SearchUidsAsync(new HeaderCriterion("Subject", "report"))).Should().Equal(a.Uid);
        (await SearchUidsAsync(new HeaderCriterion("Message-ID", ""))).Should().BeEmpty();
        (await SearchUidsAsync(new HeaderCriterion("Subject", ""))).Should().Equal(a.Uid, b.Uid, c.Uid);
        (await SearchUidsAsync(new TextCriterion(TextScope.Body, "NEEDLE"))).Should().Equal([b.Uid], "base64 HTML is decoded before indexing");
        (await SearchUidsAsync(new TextCriterion(TextScope.Body, "inner body"))).Should().Equal([b.Uid], "text parts of attached messages are indexed too");
        (await SearchUidsAsync(new TextCriterion(TextScope.Body, "lunch"))).Should().BeEmpty();
        (await SearchUidsAsync(new TextCriterion(TextScope.Text, "lunch"))).Should().Equal(c.Uid);
        (await SearchUidsAsync(new TextCriterion(TextScope.Body, "up"))).Should().Equal(a.Uid);
        (await SearchUidsAsync(new TextCriterion(TextScope.Body, "100%_off \\o/"))).Should().Equal([c.Uid], "wildcard characters are plain text");
        (await SearchUidsAsync(new TextCriterion(TextScope.Body, "%"))).Should().Equal(c.Uid);
        (await SearchUidsAsync(new TextCriterion(TextScope.Text, "\"x\" OR y"))).Should().BeEmpty();
        (await SearchUidsAsync(new SizeCriterion(SizeComparison.Larger, TestMessages.Multipart().Length - 1))).Should().Equal(b.Uid);
        (await SearchUidsAsync(new SizeCriterion(SizeComparison.Smaller, 200))).Should().NotContain(b.Uid);
        (await SearchUidsAsync(new DateCriterion(SearchDateField.Internal, DateComparison.On, new DateOnly(2024, 5, 1)))).Should().Equal([a.Uid], "the date is taken in its own zone");
        (await SearchUidsAsync(new DateCriterion(SearchDateField.Internal, DateComparison.Before, new DateOnly(2025, 1, 1)))).Should().Equal(a.Uid);
        (await SearchUidsAsync(new DateCriterion(SearchDateField.Internal, DateComparison.Since, new DateOnly(2025, 3, 10)))).Should().Equal(b.Uid, c.Uid);
        (await SearchUidsAsync(new DateCriterion(SearchDateField.Sent, DateComparison.On, new DateOnly(2024, 1, 2)))).Should().Equal(c.Uid);
        (await SearchUidsAsync(new DateCriterion(SearchDateField.Sent, DateComparison.Before, new DateOnly(2000, 1, 1)))).Should().Equal(a.Uid);
        (await SearchUidsAsync(new DateCriterion(SearchDateField.Saved, DateComparison.On, new DateOnly(2025, 3, 10)))).Should().Equal(a.Uid, b.Uid, c.Uid);
        (await SearchUidsAsync(new AgeCriterion(AgeComparison.Younger, 3600))).Should().Equal(b.Uid, c.Uid);
        (await SearchUidsAsync(new AgeCriterion(AgeComparison.Older, 3600))).Should().Equal(a.Uid);
        (await SearchUidsAsync(new UidCriterion(UidSet.Range(b.Uid, c.Uid)))).Should().Equal(b.Uid, c.Uid);
        (await SearchUidsAsync(new NotCriterion(new UidCriterion(UidSet.Of(b.Uid))))).Should().Equal(a.Uid, c.Uid);
        (await SearchUidsAsync(new OrCriterion(new FlagCriterion(MessageFlags.Seen, true), new FlagCriterion(MessageFlags.Flagged, true)))).Should().Equal(a.Uid, b.Uid);
        (await SearchUidsAsync(new AndCriterion([new FlagCriterion(MessageFlags.Seen, false), new HeaderCriterion("Subject", "lunch")]))).Should().Equal(c.Uid);
        (await SearchUidsAsync(new ObjectIdCriterion(ObjectIdKind.EmailId, b.EmailId))).Should().Equal(b.Uid);
        var modseq = (await view.StoreFlagsAsync(UidSet.Of(c.Uid), FlagOperation.Add, MessageFlags.Answered, [], null, default)).Value.HighestModSeq;
        var byModSeq = (await view.SearchAsync(new ModSeqCriterion(modseq), default)).Value;
        byModSeq.Uids.Should().Equal(c.Uid);
        byModSeq.HighestModSeq.Should().Be(modseq);
    }

    [StoreFact]
    public async Task Search_nesting_is_capped_without_recursion()
    {
        var account = await OpenAsync(await CreateStoreAsync());
        await AppendAsync(account, "INBOX", TestMessages.Simple());
        var view = await SelectAsync(account, "INBOX");
        SearchCriteria deep = AllCriterion.Instance;
        for (var i = 0; i < 100_000; i++)
        {
            deep = new NotCriterion(deep);
        }

        (await view.SearchAsync(deep, default)).Error!.Code.Should().Be(StoreErrorCode.LimitExceeded);
        SearchCriteria ok = AllCriterion.Instance;
        for (var i = 0; i < 10; i++)
        {
            ok = new NotCriterion(ok);
        }

        (await view.SearchAsync(ok, default)).Value.Uids.Should().HaveCount(1);
    }

    [StoreFact]
    public async Task Fetch_serves_sections_by_offset_from_the_stored_index()
    {
        var account = await OpenAsync(await CreateStoreAsync());
        var bytes = TestMessages.Multipart();
        var a = await AppendAsync(account, "INBOX", bytes);
        var view = await SelectAsync(account, "INBOX");
        var data = (await FetchAsync(view, UidSet.Of(a.Uid), FetchOptions.WithIndex)).Single();
        var index = data.Index!;
        index.Envelope.Subject.Should().Be("parts");
        index.Envelope.Sender.Should().BeEquivalentTo(index.Envelope.From);
        index.Body.MediaType.Should().Be("multipart");
        index.Body.Parts.Should().HaveCount(3);
        var text = Encoding.ASCII.GetString(await ReadAsync(data.Content, 0, index.HeaderLength));
        text.Should().StartWith("From: a@example.com").And.EndWith("\r\n\r\n");
        var part1 = index.Body.Parts[0];
        Encoding.ASCII.GetString(await ReadAsync(data.Content, part1.BodyOffset, part1.BodySize)).Should().Be("first part");
        Encoding.ASCII.GetString(await ReadAsync(data.Content, part1.BodyOffset + 6, 3)).Should().Be("par");
        var inner = index.Body.Parts[2];
        inner.Envelope!.Subject.Should().Be("inner");
        Encoding.ASCII.GetString(await ReadAsync(data.Content, inner.Message!.BodyOffset, inner.Message.BodySize)).Should().Be("inner body");
        index.Preview.Should().Be("first part");
        (await FetchAsync(view, UidSet.Of(a.Uid))).Single().Index.Should().BeNull();
        var beyond = await data.Content.OpenAsync(bytes.Length + 10, 5, default);
        await using (beyond!)
        {
            (await beyond!.ReadAsync(new byte[5])).Should().Be(0);
        }
    }

    [StoreFact]
    public async Task Malformed_mime_is_stored_byte_exact_with_a_clipped_structure()
    {
        var account = await OpenAsync(await CreateStoreAsync());
        var bytes = Encoding.Latin1.GetBytes("Content-Type: multipart/mixed; boundary=\"unterminated\r\nSubject: \u00ff\u00fe broken\r\n\r\n--unterminated\r\nno blank line here\r\n\u0000\u0001 binary junk \u00ff");
        var a = await AppendAsync(account, "INBOX", bytes);
        var view = await SelectAsync(account, "INBOX");
        var data = (await FetchAsync(view, UidSet.Of(a.Uid), FetchOptions.WithIndex)).Single();
        (await ReadAsync(data.Content)).Should().Equal(bytes);
        data.Index.Should().NotBeNull();
        data.Index!.Body.EndOffset.Should().BeLessThanOrEqualTo(bytes.Length);
    }

    [StoreFact]
    public async Task Delivery_stores_one_content_for_many_recipients_and_fails_per_target()
    {
        var store = await CreateStoreAsync();
        await store.SetQuotaLimitsAsync("full", new QuotaLimits(null, 0), default);
        var message = TestMessages.Simple("to all");
        var targets = new[]
        {
            new DeliveryTarget("alice"),
            new DeliveryTarget("bob", "INBOX", new AppendOptions(MessageFlags.Flagged)),
            new DeliveryTarget("carol", "No Such Folder"),
            new DeliveryTarget("full"),
        };
        var result = (await store.DeliverAsync(TestMessages.Stream(message), targets, default)).Value;
        result.Size.Should().Be(message.Length);
        result.Targets[0].Result!.Uid.Should().Be(1);
        result.Targets[1].Result!.Uid.Should().Be(1);
        result.Targets[2].Error!.Code.Should().Be(StoreErrorCode.NotFound);
        result.Targets[3].Error!.Code.Should().Be(StoreErrorCode.OverQuota);
        var bob = await OpenAsync(store, "bob");
        var view = await SelectAsync(bob, "INBOX");
        var data = (await FetchAsync(view, UidSet.All)).Single();
        data.Flags.Should().Be(MessageFlags.Flagged);
        (await ReadAsync(data.Content)).Should().Equal(message);
        (await store.DeliverAsync(TestMessages.Stream(message), [], default)).Error!.Code.Should().Be(StoreErrorCode.InvalidArgument);

        // The content outlives one recipient's expunge.
        var alice = await OpenAsync(store, "alice");
        var aliceView = await SelectAsync(alice, "INBOX");
        await aliceView.StoreFlagsAsync(UidSet.All, FlagOperation.Add, MessageFlags.Deleted, [], null, default);
        await aliceView.ExpungeAsync(null, default);
        var again = (await FetchAsync(view, UidSet.All)).Single();
        (await ReadAsync(again.Content)).Should().Equal(message);
    }

    [StoreFact]
    public async Task A_refused_first_target_leaves_the_content_whole_for_the_targets_after_it()
    {
        // The refused targets come first: whatever they took of the content is given back without taking the bytes
        // the later targets store.
        var store = await CreateStoreAsync();
        await store.SetQuotaLimitsAsync("full", new QuotaLimits(null, 0), default);
        var message = TestMessages.Simple("refused first");
        var targets = new[] { new DeliveryTarget("carol", "No Such Folder"), new DeliveryTarget("full"), new DeliveryTarget("dave") };
        var result = (await store.DeliverAsync(TestMessages.Stream(message), targets, default)).Value;
        result.Targets[0].Error!.Code.Should().Be(StoreErrorCode.NotFound);
        result.Targets[1].Error!.Code.Should().Be(StoreErrorCode.OverQuota);
        result.Targets[2].Result!.Uid.Should().Be(1);
        var dave = await SelectAsync(await OpenAsync(store, "dave"), "INBOX");
        (await ReadAsync((await FetchAsync(dave, UidSet.All)).Single().Content)).Should().Equal(message);

        // Nothing of the refused targets stays behind: the usage counts only what was stored.
        (await (await OpenAsync(store, "full")).GetQuotaAsync()).StorageUsed.Should().Be(0);
    }

    [StoreFact]
    public async Task Replies_share_the_thread_id_of_their_parent()
    {
        var account = await OpenAsync(await CreateStoreAsync());
        await AppendAsync(account, "INBOX", TestMessages.Simple("q", messageId: "q1@example.com"));
        await AppendAsync(account, "Sent", TestMessages.Simple("Re: q", messageId: "r1@example.com", inReplyTo: "q1@example.com"));
        await AppendAsync(account, "INBOX", TestMessages.Simple("other", messageId: "o1@example.com"));
        var inbox = await FetchAsync(await SelectAsync(account, "INBOX"), UidSet.All);
        var sent = await FetchAsync(await SelectAsync(account, "Sent"), UidSet.All);
        sent[0].ThreadId.Should().Be(inbox[0].ThreadId);
        inbox[1].ThreadId.Should().NotBe(inbox[0].ThreadId);
        inbox[0].ThreadId.Should().MatchRegex("^[A-Za-z0-9_-]{1,255}$");
    }

    [StoreFact]
    public async Task Fetch_with_the_index_carries_the_normalized_References_ids()
    {
        // RFC 5256 §2.2 threading input, kept from append; copies share it.
        var account = await OpenAsync(await CreateStoreAsync());
        var reply = Encoding.ASCII.GetBytes(
            "From: a@example.com\r\nSubject: Re: q\r\nMessage-ID: <r@example.com>\r\nIn-Reply-To: <ignored@example.com>\r\n" +
            "References: <\"q\"@example.com>\r\n (a comment) <bad> <m2@example.com>\r\n\r\nbody\r\n");
        var big = Encoding.ASCII.GetBytes(
            "From: a@example.com\r\nSubject: big\r\nReferences: <r@example.com>\r\n\r\n" + new string('x', 200_000) + "\r\n");
        var first = await AppendAsync(account, "INBOX", reply);
        var second = await AppendAsync(account, "INBOX", big);
        await AppendAsync(account, "INBOX", TestMessages.Simple("no references"));
        var view = await SelectAsync(account, "INBOX");
        (await view.CopyAsync(UidSet.Of(first.Uid), "Archive", default)).Error.Should().BeNull();

        var messages = await FetchAsync(view, UidSet.All, FetchOptions.WithIndex);
        messages.Select(m => m.Index!.References).Should().BeEquivalentTo(
            [new[] { "q@example.com", "m2@example.com" }, ["r@example.com"], []], o => o.WithStrictOrdering());
        messages[1].Uid.Should().Be(second.Uid);
        (await FetchAsync(view, UidSet.All)).Should().OnlyContain(m => m.Index == null);
        var copy = (await FetchAsync(await SelectAsync(account, "Archive"), UidSet.All, FetchOptions.WithIndex)).Single();
        copy.Index!.References.Should().Equal("q@example.com", "m2@example.com");
    }

    [StoreFact]
    public async Task Changes_reach_every_open_view_at_once_in_modseq_order()
    {
        var store = await CreateStoreAsync();
        var account = await OpenAsync(store);
        var existing = await AppendAsync(account, "INBOX", TestMessages.Simple("old"));
        var idle = await SelectAsync(account, "INBOX");
        var other = await SelectAsync(await OpenAsync(store), "INBOX");

        var waiting = idle.WaitForChangesAsync(default).AsTask();
        waiting.IsCompleted.Should().BeFalse();
        var appended = await AppendAsync(account, "INBOX", TestMessages.Simple("new"));
        await waiting.WaitAsync(TimeSpan.FromSeconds(1));
        await other.StoreFlagsAsync(UidSet.Of(existing.Uid), FlagOperation.Add, MessageFlags.Seen, ["Done"], null, default);
        var changes = (await idle.PollChangesAsync(default)).Value;
        changes.Changes.Select(c => (c.Kind, c.Uid)).Should().Equal((MailboxChangeKind.Appended, appended.Uid), (MailboxChangeKind.FlagsChanged, existing.Uid));
        changes.Changes.Select(c => c.ModSeq).Should().BeInAscendingOrder();
        changes.Changes[1].Flags.Should().Be(MessageFlags.Seen);
        changes.Changes[1].Keywords.Should().Equal("Done");
        changes.KeywordsChanged.Should().BeTrue();
        idle.Snapshot.Uids.Should().Equal(existing.Uid, appended.Uid);
        (await idle.PollChangesAsync(default)).Value.Changes.Should().BeEmpty();

        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        var quiet = async () => await idle.WaitForChangesAsync(cts.Token);
        await quiet.Should().ThrowAsync<OperationCanceledException>();
        var otherChanges = (await other.PollChangesAsync(default)).Value;
        otherChanges.Changes.Should().ContainSingle(c => c.Kind == MailboxChangeKind.Appended).And.NotContain(c => c.Kind == MailboxChangeKind.FlagsChanged);
    }

    [StoreFact]
    public async Task Appends_during_idle_are_seen_by_every_view_within_a_second()
    {
        var store = await CreateStoreAsync();
        var account = await OpenAsync(store);
        var views = new List<IMailboxView>();
        for (var i = 0; i < 5; i++)
        {
            views.Add(await SelectAsync(await OpenAsync(store), "INBOX"));
        }

        var waits = views.Select(v => v.WaitForChangesAsync(default).AsTask()).ToList();
        var delivered = (await store.DeliverAsync(TestMessages.Stream(TestMessages.Simple()), [new DeliveryTarget("alice")], default)).Value;
        await Task.WhenAll(waits).WaitAsync(TimeSpan.FromSeconds(1));
        foreach (var view in views)
        {
            var changes = (await view.PollChangesAsync(default)).Value;
            changes.Changes.Should().ContainSingle().Which.Uid.Should().Be(delivered.Targets[0].Result!.Uid);
        }

        _ = account;
    }

    [StoreFact]
    public async Task A_following_view_sees_every_concurrent_change_exactly_once()
    {
        var store = await CreateStoreAsync();
        var account = await OpenAsync(store);
        var follower = await SelectAsync(await OpenAsync(store), "INBOX");
        var expunger = await SelectAsync(await OpenAsync(store), "INBOX");
        const int Writers = 4, Each = 20;
        var appends = Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < Each; i++)
            {
                var flags = i % 5 == 0 ? MessageFlags.Deleted : MessageFlags.None;
                await AppendAsync(account, "INBOX", TestMessages.Simple($"w{w} {i}"), new AppendOptions(flags));
                if (i % 7 == 0)
                {
                    await expunger.ExpungeAsync(null, default);
                }
            }
        })));

        var appended = new List<uint>();
        var expunged = new HashSet<uint>();
        var lastModSeq = 0UL;
        using var deadline = new CancellationTokenSource(Timeout);
        while (!appends.IsCompleted || follower.Snapshot.HighestModSeq < (await account.GetStatusAsync("INBOX", default)).Value.HighestModSeq)
        {
            // The writers may finish after the loop's check with nothing left to report: a wait for a change would
            // then wait for ever. Each wait is short, and the loop's condition decides.
            deadline.Token.ThrowIfCancellationRequested();
            using (var round = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token))
            {
                round.CancelAfter(TimeSpan.FromMilliseconds(500));
                try
                {
                    await follower.WaitForChangesAsync(round.Token);
                }
                catch (OperationCanceledException) when (!deadline.IsCancellationRequested)
                {
                }
            }

            var changes = (await follower.PollChangesAsync(default)).Value;
            foreach (var change in changes.Changes)
            {
                change.ModSeq.Should().BeGreaterThanOrEqualTo(lastModSeq);
                lastModSeq = change.ModSeq;
                if (change.Kind == MailboxChangeKind.Appended)
                {
                    appended.Add(change.Uid);
                }
                else if (change.Kind == MailboxChangeKind.Expunged)
                {
                    expunged.Add(change.Uid).Should().BeTrue("an expunge is reported once");
                    appended.Should().Contain(change.Uid, "only messages the view knew are reported as expunged");
                }
            }
        }

        await appends;
        appended.Should().OnlyHaveUniqueItems();
        var status = (await account.GetStatusAsync("INBOX", default)).Value;
        follower.Snapshot.Uids.Should().HaveCount(status.Messages);
        (await FetchAsync(follower, UidSet.All)).Select(m => m.Uid).Should().Equal(follower.Snapshot.Uids);
    }

    [StoreFact]
    public async Task Account_deletion_removes_everything()
    {
        var store = await CreateStoreAsync();
        var account = await OpenAsync(store, "temp");
        await AppendAsync(account, "INBOX", TestMessages.Simple());
        (await store.DeleteAccountAsync("temp", default)).IsSuccess.Should().BeTrue();
        (await store.DeleteAccountAsync("temp", default)).Error!.Code.Should().Be(StoreErrorCode.NotFound);
        var fresh = await OpenAsync(store, "temp");
        (await fresh.GetStatusAsync("INBOX", default)).Value.Messages.Should().Be(0);
        (await store.OpenAccountAsync("bad\nname", default)).Error!.Code.Should().Be(StoreErrorCode.InvalidArgument);
    }

    [StoreFact]
    public async Task A_100_MB_message_streams_in_and_out_without_buffering_it()
    {
        const long Size = 100L * 1024 * 1024;
        var expected = await HashAsync(new GeneratedMessageStream(Size));
        var store = await CreateStoreAsync();
        var account = await OpenAsync(store);
        GC.Collect();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var appended = await account.AppendAsync("INBOX", new GeneratedMessageStream(Size), AppendOptions.Default, default).AsTask().WaitAsync(TimeSpan.FromMinutes(2));
        appended.Error.Should().BeNull();
        appended.Value.Size.Should().Be(Size);
        var view = await SelectAsync(account, "INBOX");
        var data = (await FetchAsync(view, UidSet.All, FetchOptions.WithIndex)).Single();
        var stream = await data.Content.OpenAsync(default);
        byte[] actual;
        await using (stream!)
        {
            actual = await HashAsync(stream!);
        }

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        actual.Should().Equal(expected);
        data.Index!.Body.BodySize.Should().Be(Size - data.Index.HeaderLength);
        // The durable store keeps at most the capped search text (1 MiB of characters) and small buffers in memory.
        var budget = ContentLivesInMemory ? Size + (Size / 4) : Size / 5;
        allocated.Should().BeLessThan(budget, "content must stream, not be buffered whole");
        var tail = await ReadAsync(data.Content, Size - 10, 10);
        tail.Should().HaveCount(10);
    }

    private static async Task<byte[]> HashAsync(Stream stream)
    {
        using var sha = SHA256.Create();
        return await sha.ComputeHashAsync(stream).WaitAsync(TimeSpan.FromMinutes(2));
    }
}
