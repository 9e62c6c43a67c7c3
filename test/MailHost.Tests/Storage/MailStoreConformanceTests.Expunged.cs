using System.Text;
using MailHost.Storage;

using MailHost.TestSupport;

namespace MailHost.Tests.Storage;

/// <summary>
/// MOVE into the selected mailbox (RFC 6851 §3.3), and messages expunged by one view that another view still shows
/// (RFC 2180 §4.1.1): readable, whole, until that view takes the expunge; released after.
/// </summary>
public abstract partial class MailStoreConformanceTests
{
    /// <summary>
    /// Whether the store has let go of <paramref name="content"/>: no message and no open view uses it any more.
    /// Release work the store does in the background is finished first.
    /// </summary>
    protected abstract Task<bool> IsReleasedAsync(IMailStore store, MessageContent content);

    /// <summary>A message with both a To and a Message-ID field, <paramref name="bodySize"/> octets of body.</summary>
    protected static byte[] HeldMessage(string subject, int bodySize) =>
        TestMessages.Simple(subject, new string('h', bodySize) + "\r\n", messageId: subject + "@example.com");

    [StoreFact]
    public async Task Move_into_the_selected_mailbox_gives_new_uids_with_the_flags_keywords_and_a_new_modseq()
    {
        var account = await OpenAsync(await CreateStoreAsync());
        var a = await AppendAsync(account, "INBOX", TestMessages.Simple("a"), new AppendOptions(MessageFlags.Flagged | MessageFlags.Seen, ["Project"]));
        var b = await AppendAsync(account, "INBOX", TestMessages.Simple("b"));
        var view = await SelectAsync(account, "INBOX");
        var watcher = await SelectAsync(account, "INBOX");
        var before = (await FetchAsync(view, UidSet.Of(a.Uid))).Single();

        var moved = await view.MoveAsync(UidSet.Of(a.Uid), "inbox", default).AsTask().WaitAsync(Timeout);
        moved.Error.Should().BeNull();
        moved.Value.DestinationUidValidity.Should().Be(a.UidValidity);
        moved.Value.SourceUids.Should().Equal(a.Uid);
        var newUid = moved.Value.DestinationUids.Should().ContainSingle().Which;
        newUid.Should().BeGreaterThan(b.Uid);
        view.Snapshot.Uids.Should().Equal(b.Uid);

        // RFC 6851 §3.3: the same as COPY and UID EXPUNGE; the copy is new to every view, the mover included.
        var changes = (await view.PollChangesAsync(default)).Value;
        var appended = changes.Changes.Should().ContainSingle().Which;
        appended.Kind.Should().Be(MailboxChangeKind.Appended);
        appended.Uid.Should().Be(newUid);
        appended.Flags.Should().Be(MessageFlags.Flagged | MessageFlags.Seen);
        appended.Keywords.Should().Equal("Project");
        view.Snapshot.Uids.Should().Equal(b.Uid, newUid);

        var copy = (await FetchAsync(view, UidSet.Of(newUid))).Single();
        copy.Flags.Should().Be(MessageFlags.Flagged | MessageFlags.Seen);
        copy.Keywords.Should().Equal("Project");
        copy.ModSeq.Should().BeGreaterThan(before.ModSeq);
        copy.EmailId.Should().Be(a.EmailId);
        (await ReadAsync(copy.Content)).Should().Equal(TestMessages.Simple("a"));

        var seen = (await watcher.PollChangesAsync(default)).Value.Changes;
        seen.Select(c => (c.Kind, c.Uid)).Should().BeEquivalentTo([(MailboxChangeKind.Appended, newUid), (MailboxChangeKind.Expunged, a.Uid)]);
        seen.Should().BeInAscendingOrder(c => c.ModSeq);
        (await account.GetStatusAsync("INBOX", default)).Value.Messages.Should().Be(2);
        (await account.GetQuotaAsync()).MessagesUsed.Should().Be(2, "a move within the mailbox neither adds nor loses a message");

        // COPY into the selected mailbox is an append as well.
        var copied = (await view.CopyAsync(UidSet.Of(b.Uid), "INBOX", default)).Value;
        (await view.PollChangesAsync(default)).Value.Changes.Should().ContainSingle(c => c.Kind == MailboxChangeKind.Appended && c.Uid == copied.DestinationUids[0]);
    }

    [StoreFact]
    public async Task A_message_another_view_expunged_stays_whole_until_the_view_takes_the_expunge()
    {
        var store = await CreateStoreAsync();
        var account = await OpenAsync(store);
        // One small message and one large enough to live outside the database in a file-backed store.
        var small = HeldMessage("small", 100);
        var large = HeldMessage("large", 200_000);
        var s = await AppendAsync(account, "INBOX", small, new AppendOptions(MessageFlags.Seen, ["$Label1"]));
        var l = await AppendAsync(account, "INBOX", large);
        var holder = await SelectAsync(account, "INBOX");
        var expunger = await SelectAsync(await OpenAsync(store), "INBOX");

        (await expunger.StoreFlagsAsync(UidSet.All, FlagOperation.Add, MessageFlags.Deleted, [], null, default)).Error.Should().BeNull();
        (await expunger.ExpungeAsync(null, default)).Value.Expunged.Should().Equal(s.Uid, l.Uid);
        (await account.GetStatusAsync("INBOX", default)).Value.Messages.Should().Be(0, "the messages are gone from the mailbox at once");

        // RFC 2180 §4.1.1: the holder still fetches them whole, with their flags as they were at the expunge.
        var held = await FetchAsync(holder, UidSet.All, FetchOptions.WithIndex);
        held.Select(m => m.Uid).Should().Equal(s.Uid, l.Uid);
        held[0].Flags.Should().Be(MessageFlags.Seen | MessageFlags.Deleted);
        held[0].Keywords.Should().Equal("$Label1");
        held[1].Size.Should().Be(large.Length);
        held[1].Index!.HeaderLength.Should().BeGreaterThan(0);
        (await ReadAsync(held[0].Content)).Should().Equal(small);
        (await ReadAsync(held[1].Content)).Should().Equal(large);
        var header = Encoding.ASCII.GetString(await ReadAsync(held[1].Content, 0, held[1].Index!.HeaderLength));
        header.Should().Contain("To: bob@example.org\r\n").And.Contain("Message-ID: <large@example.com>\r\n");
        (await FetchAsync(holder, UidSet.Of(l.Uid))).Should().ContainSingle("a FETCH without the index reads the same rows");

        // While the session may not announce expunges (RFC 9051 §7.5.1) they stay in the snapshot.
        var quiet = (await holder.PollChangesAsync(takeExpunges: false, default)).Value;
        quiet.Changes.Should().BeEmpty();
        holder.Snapshot.Uids.Should().Equal(s.Uid, l.Uid);
        (await FetchAsync(holder, UidSet.All)).Should().HaveCount(2);
        (await ReadAsync(held[1].Content)).Should().Equal(large);
        (await IsReleasedAsync(store, held[1].Content)).Should().BeFalse();

        var taken = (await holder.PollChangesAsync(takeExpunges: true, default)).Value;
        taken.Changes.Select(c => (c.Kind, c.Uid)).Should().Equal((MailboxChangeKind.Expunged, s.Uid), (MailboxChangeKind.Expunged, l.Uid));
        holder.Snapshot.Uids.Should().BeEmpty();
        (await FetchAsync(holder, UidSet.All)).Should().BeEmpty();
        (await IsReleasedAsync(store, held[0].Content)).Should().BeTrue();
        (await IsReleasedAsync(store, held[1].Content)).Should().BeTrue();
    }

    [StoreFact]
    public async Task Expunged_messages_are_released_when_no_view_holds_them()
    {
        var store = await CreateStoreAsync();
        var account = await OpenAsync(store);
        var one = await AppendAsync(account, "INBOX", HeldMessage("one", 150_000), new AppendOptions(MessageFlags.Deleted));
        await account.CreateMailboxAsync("Work", MailboxAttributes.None, default);
        var two = await AppendAsync(account, "Work", HeldMessage("two", 150_000), new AppendOptions(MessageFlags.Deleted));

        // Expunged by the only view: released at once.
        var alone = await SelectAsync(account, "INBOX");
        var content = (await FetchAsync(alone, UidSet.All)).Single().Content;
        (await alone.ExpungeAsync(null, default)).Value.Expunged.Should().Equal(one.Uid);
        (await IsReleasedAsync(store, content)).Should().BeTrue();

        // Held by a view that closes without taking the expunge.
        var a = await AppendAsync(account, "INBOX", HeldMessage("closed", 150_000), new AppendOptions(MessageFlags.Deleted));
        var closing = await SelectAsync(account, "INBOX");
        var expunger = await SelectAsync(account, "INBOX");
        content = (await FetchAsync(closing, UidSet.All)).Single(m => m.Uid == a.Uid).Content;
        (await expunger.ExpungeAsync(null, default)).Value.Expunged.Should().Equal(a.Uid);
        (await IsReleasedAsync(store, content)).Should().BeFalse();
        await closing.DisposeAsync();
        (await IsReleasedAsync(store, content)).Should().BeTrue();

        // Held by a view of a mailbox that is deleted.
        var work = await SelectAsync(account, "Work");
        var workExpunger = await SelectAsync(account, "Work");
        content = (await FetchAsync(work, UidSet.All)).Single().Content;
        (await workExpunger.ExpungeAsync(null, default)).Value.Expunged.Should().Equal(two.Uid);
        (await IsReleasedAsync(store, content)).Should().BeFalse();
        (await account.DeleteMailboxAsync("Work", default)).Error.Should().BeNull();
        (await IsReleasedAsync(store, content)).Should().BeTrue();
        (await account.GetQuotaAsync()).StorageUsed.Should().Be(0);
    }

    [StoreFact]
    public async Task A_message_moved_away_stays_readable_to_the_views_that_still_show_it()
    {
        var store = await CreateStoreAsync();
        var account = await OpenAsync(store);
        var message = HeldMessage("moved", 120_000);
        var a = await AppendAsync(account, "INBOX", message, new AppendOptions(MessageFlags.Flagged));
        var holder = await SelectAsync(account, "INBOX");
        var mover = await SelectAsync(account, "INBOX");
        (await mover.MoveAsync(UidSet.Of(a.Uid), "Archive", default)).Value.SourceUids.Should().Equal(a.Uid);

        var held = (await FetchAsync(holder, UidSet.Of(a.Uid))).Single();
        held.Flags.Should().Be(MessageFlags.Flagged);
        (await ReadAsync(held.Content)).Should().Equal(message);

        // RENAME INBOX (RFC 9051 §6.3.6) moves every message out of INBOX: the same holds.
        var b = await AppendAsync(account, "INBOX", TestMessages.Simple("renamed"));
        (await holder.PollChangesAsync(default)).Value.Changes.Select(c => c.Kind).Should().Equal(MailboxChangeKind.Expunged, MailboxChangeKind.Appended);
        (await account.RenameMailboxAsync("INBOX", "Old", default)).Error.Should().BeNull();
        var renamed = (await FetchAsync(holder, UidSet.Of(b.Uid))).Single();
        (await ReadAsync(renamed.Content)).Should().Equal(TestMessages.Simple("renamed"));
        (await holder.PollChangesAsync(default)).Value.Changes.Should().ContainSingle(c => c.Kind == MailboxChangeKind.Expunged && c.Uid == b.Uid);
        (await FetchAsync(holder, UidSet.All)).Should().BeEmpty();
        (await ReadAsync((await FetchAsync(await SelectAsync(account, "Archive"), UidSet.All)).Single().Content)).Should().Equal(message);
        (await ReadAsync((await FetchAsync(await SelectAsync(account, "Old"), UidSet.All)).Single().Content)).Should().Equal(TestMessages.Simple("renamed"));
    }
}
