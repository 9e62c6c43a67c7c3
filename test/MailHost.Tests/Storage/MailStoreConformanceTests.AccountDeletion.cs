using MailHost.Storage;

using MailHost.TestSupport;

namespace MailHost.Tests.Storage;

/// <summary>
/// Deleting an account (what <c>users remove</c> asks of the store): everything of the account goes, content shared
/// with others stays, and nothing opened before the deletion reaches an account created again under the same name.
/// </summary>
public abstract partial class MailStoreConformanceTests
{
    [StoreFact]
    public async Task Deleting_an_account_drops_its_mailboxes_subscriptions_messages_and_quota()
    {
        var store = await CreateStoreAsync(new QuotaLimits(50_000_000, 1000));
        var account = await OpenAsync(store, "carol");
        (await account.CreateMailboxAsync("Projects/2025", MailboxAttributes.None, default)).IsSuccess.Should().BeTrue();
        (await account.SubscribeAsync("Projects/2025", default)).IsSuccess.Should().BeTrue();
        (await account.UnsubscribeAsync("Sent", default)).IsSuccess.Should().BeTrue();
        await AppendAsync(account, "INBOX", TestMessages.Simple("inbox", messageId: "<a@example.com>"));
        await AppendAsync(account, "Projects/2025", TestMessages.Simple("project"));
        (await store.SetQuotaLimitsAsync("carol", new QuotaLimits(2_000, 2), default)).IsSuccess.Should().BeTrue();
        var pristine = await OpenAsync(store, "dave");

        (await store.DeleteAccountAsync("carol", default).AsTask().WaitAsync(Timeout)).Error.Should().BeNull();

        var again = await OpenAsync(store, "carol");
        (await again.ListMailboxesAsync(default)).Should().BeEquivalentTo(await pristine.ListMailboxesAsync(default), "the name starts over like any new account");
        (await again.ListSubscriptionsAsync(default)).Should().Equal(await pristine.ListSubscriptionsAsync(default));
        (await again.GetStatusAsync("INBOX", default)).Value.Messages.Should().Be(0);
        (await again.GetStatusAsync("Projects/2025", default)).Error!.Code.Should().Be(StoreErrorCode.NotFound);
        (await ((IMailAccountQuota)again).GetQuotaAsync(default)).Should().Be(new QuotaUsage(0, 50_000_000, 0, 1000), "usage and the account's own limits are gone");

        // A message with the Message-ID the old account had starts a thread of its own (thread records went too).
        var reply = await AppendAsync(again, "INBOX", TestMessages.Simple("reply", inReplyTo: "<a@example.com>"));
        var view = await SelectAsync(again, "INBOX");
        (await FetchAsync(view, UidSet.All)).Should().ContainSingle().Which.Uid.Should().Be(reply.Uid);
    }

    [StoreFact]
    public async Task Deleting_an_account_releases_content_only_it_used_and_keeps_content_shared_with_others()
    {
        var store = await CreateStoreAsync();
        var shared = HeldMessage("shared", 100_000);
        var delivered = await store.DeliverAsync(TestMessages.Stream(shared), [new DeliveryTarget("erin"), new DeliveryTarget("frank")], default).AsTask().WaitAsync(Timeout);
        delivered.Value.Targets.Should().OnlyContain(t => t.Error == null);
        var erin = await OpenAsync(store, "erin");
        await AppendAsync(erin, "INBOX", HeldMessage("own", 120_000));
        var view = await SelectAsync(erin, "INBOX");
        var contents = (await FetchAsync(view, UidSet.All)).Select(m => m.Content).ToList();

        (await store.DeleteAccountAsync("erin", default).AsTask().WaitAsync(Timeout)).Error.Should().BeNull();

        (await view.PollChangesAsync(default)).Error!.Code.Should().Be(StoreErrorCode.NotFound, "an open view sees its mailbox gone");
        (await IsReleasedAsync(store, contents[1])).Should().BeTrue("nothing else used the account's own message");
        (await IsReleasedAsync(store, contents[0])).Should().BeFalse("frank still has the shared message");
        var frank = await SelectAsync(await OpenAsync(store, "frank"), "INBOX");
        (await ReadAsync((await FetchAsync(frank, UidSet.All)).Single().Content)).Should().Equal(shared);
    }

    [StoreFact]
    public async Task A_handle_of_a_deleted_account_reaches_nothing_not_even_a_new_account_of_the_same_name()
    {
        var store = await CreateStoreAsync();
        var old = await OpenAsync(store, "gina");
        await AppendAsync(old, "INBOX", TestMessages.Simple("before"));

        (await store.DeleteAccountAsync("gina", default).AsTask().WaitAsync(Timeout)).Error.Should().BeNull();
        var renewed = await OpenAsync(store, "gina");
        var own = await AppendAsync(renewed, "INBOX", TestMessages.Simple("after"));

        (await old.ListMailboxesAsync(default)).Should().BeEmpty();
        (await old.ListSubscriptionsAsync(default)).Should().BeEmpty();
        (await ((IMailAccountQuota)old).GetQuotaAsync(default)).MessagesUsed.Should().Be(0);
        var appended = await old.AppendAsync("INBOX", TestMessages.Stream(TestMessages.Simple("sneaked in")), AppendOptions.Default, default).AsTask().WaitAsync(Timeout);
        StoreError?[] refusals =
        [
            appended.Error,
            (await old.GetStatusAsync("INBOX", default)).Error,
            (await old.CheckMailboxAsync("INBOX", default)).Error,
            (await old.OpenMailboxAsync("INBOX", examine: true, default)).Error,
            (await old.CreateMailboxAsync("Planted", MailboxAttributes.None, default)).Error,
            (await old.DeleteMailboxAsync("Trash", default)).Error,
            (await old.RenameMailboxAsync("Archive", "Taken", default)).Error,
            (await old.SubscribeAsync("Planted", default)).Error,
            (await old.UnsubscribeAsync("INBOX", default)).Error,
        ];
        refusals.Should().OnlyContain(e => e != null && e.Code == StoreErrorCode.AccountRemoved);

        (await renewed.GetStatusAsync("INBOX", default)).Value.Messages.Should().Be(1, "only the new account's own message");
        var names = (await renewed.ListMailboxesAsync(default)).Select(m => m.Name).ToList();
        names.Should().Contain(["Trash", "Archive"]).And.NotContain(["Planted", "Taken"]);
        (await renewed.ListSubscriptionsAsync(default)).Should().Contain("INBOX").And.NotContain("Planted");
        var view = await SelectAsync(renewed, "INBOX");
        (await FetchAsync(view, UidSet.All)).Should().ContainSingle().Which.Uid.Should().Be(own.Uid);
    }
}
