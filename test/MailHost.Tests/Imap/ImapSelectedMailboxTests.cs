using FluentAssertions;
using MailHost.Imap;
using MailHost.Storage;
using MailHost.Storage.InMemory;
using MailHost.Tests.Storage;

namespace MailHost.Tests.Imap;

public sealed class ImapSelectedMailboxTests
{
    [Fact]
    public async Task Sequence_numbers_with_a_hint_match_the_plain_lookup_in_any_order()
    {
        var store = new InMemoryMailStore();
        var account = (await store.OpenAccountAsync("alice", default)).Value;
        for (var i = 0; i < 6; i++)
        {
            (await account.AppendAsync("INBOX", new MemoryStream(TestMessages.Simple("m" + i)), AppendOptions.Default, default)).IsSuccess.Should().BeTrue();
        }

        var view = (await account.OpenMailboxAsync("INBOX", examine: false, default)).Value;
        var selected = new ImapSelectedMailbox(view, readOnly: false);
        selected.Uids.RemoveAt(2);
        var uids = view.Snapshot.Uids;

        // Ascending, as a FETCH answer comes: each is found right after the last.
        var next = 0;
        var ascending = uids.Select(u => selected.SequenceOf(u, ref next)).ToList();
        ascending.Should().Equal(uids.Select(selected.SequenceOf));
        ascending.Should().Equal(1u, 2u, 0u, 3u, 4u, 5u);

        // Out of order, or a UID the client does not know: the same answers as without a hint.
        next = 4;
        selected.SequenceOf(uids[0], ref next).Should().Be(1);
        next.Should().Be(1);
        selected.SequenceOf(uids[2], ref next).Should().Be(0, "the client was never told of it");
        next.Should().Be(1, "a miss leaves the hint");
        selected.SequenceOf(999, ref next).Should().Be(0);
    }
}
