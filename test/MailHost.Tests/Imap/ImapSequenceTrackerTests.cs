using MailHost.Imap;
using MailHost.Protocols.Imap;
using MailHost.Storage;

namespace MailHost.Tests.Imap;

/// <summary>The client's sequence numbers and the folding of other sessions' changes (RFC 9051 §2.3.1.2, §7.5.1).</summary>
public class ImapSequenceTrackerTests
{
    private static MailboxChange Appended(uint uid) => new(MailboxChangeKind.Appended, uid, 0, MessageFlags.None, []);

    private static MailboxChange Expunged(uint uid) => new(MailboxChangeKind.Expunged, uid, 0, MessageFlags.None, []);

    private static MailboxChange Flags(uint uid, MessageFlags flags, ulong modSeq = 1) => new(MailboxChangeKind.FlagsChanged, uid, modSeq, flags, []);

    [Fact]
    public void Sequence_numbers_are_positions_of_known_uids()
    {
        var tracker = new ImapSequenceTracker([3, 7, 9]);
        tracker.Count.Should().Be(3);
        tracker.SequenceOf(7).Should().Be(2);
        tracker.SequenceOf(8).Should().Be(0);

        var next = 0;
        tracker.SequenceOf(3, ref next).Should().Be(1);
        tracker.SequenceOf(9, ref next).Should().Be(3, "a skipped UID falls back to a search");
        next.Should().Be(3);
    }

    [Fact]
    public void Sequence_numbers_with_a_hint_match_the_plain_lookup_in_any_order()
    {
        uint[] uids = [11, 12, 13, 14, 15, 16];
        var tracker = new ImapSequenceTracker(uids);
        tracker.Expunge([13]);

        // Ascending, as a FETCH answer comes: each is found right after the last.
        var next = 0;
        var ascending = uids.Select(u => tracker.SequenceOf(u, ref next)).ToList();
        ascending.Should().Equal(uids.Select(tracker.SequenceOf));
        ascending.Should().Equal(1u, 2u, 0u, 3u, 4u, 5u);

        // Out of order, or a UID the client does not know: the same answers as without a hint.
        next = 4;
        tracker.SequenceOf(uids[0], ref next).Should().Be(1);
        next.Should().Be(1);
        tracker.SequenceOf(uids[2], ref next).Should().Be(0, "the client no longer knows it");
        next.Should().Be(1, "a miss leaves the hint");
        tracker.SequenceOf(999, ref next).Should().Be(0);
    }

    [Fact]
    public void Expunges_wait_until_announced_and_keep_numbers_meanwhile()
    {
        var tracker = new ImapSequenceTracker([1, 2, 3, 4]);
        tracker.Fold([Expunged(2), Expunged(4), Flags(2, MessageFlags.Seen), Flags(3, MessageFlags.Flagged)]);

        tracker.HasPendingExpunges.Should().BeTrue();
        tracker.SequenceOf(4).Should().Be(4, "RFC 9051 §7.5.1: numbers change only when EXPUNGE goes out");
        tracker.TakeFlagChanges().Select(c => (c.SequenceNumber, c.Change.Uid)).Should().Equal([(3u, 3u)],
            "a message waiting to be announced expunged has no flag changes to report");

        var gone = tracker.TakePendingExpunges();
        gone.Uids.Should().Equal(2u, 4u);
        gone.SequenceNumbers.Should().Equal([4u, 2u], "highest first, so every number is valid when sent");
        tracker.Uids.Should().Equal(1u, 3u);
        tracker.HasPendingExpunges.Should().BeFalse();
    }

    [Fact]
    public void An_expunge_of_an_unannounced_arrival_cancels_it()
    {
        var tracker = new ImapSequenceTracker([1]);
        tracker.Fold([Appended(5), Appended(6), Appended(5), Expunged(5)]);

        tracker.HasPendingExpunges.Should().BeFalse();
        tracker.TakeArrivals().Should().Equal(6u);
        tracker.Uids.Should().Equal(1u, 6u);
        tracker.TakeArrivals().Should().BeEmpty();
    }

    [Fact]
    public void Arrivals_are_added_in_uid_order_and_the_latest_flag_change_wins()
    {
        var tracker = new ImapSequenceTracker([]);
        tracker.Fold([Appended(9), Appended(4)]);
        tracker.TakeArrivals().Should().Equal(4u, 9u);

        tracker.Fold([Flags(9, MessageFlags.Seen, 5), Flags(9, MessageFlags.Deleted, 6), Flags(4, MessageFlags.Answered, 7)]);
        tracker.Supersede(4);
        var changes = tracker.TakeFlagChanges();
        changes.Should().ContainSingle();
        changes[0].SequenceNumber.Should().Be(2);
        changes[0].Change.Flags.Should().Be(MessageFlags.Deleted);
        changes[0].Change.ModSeq.Should().Be(6);
        tracker.TakeFlagChanges().Should().BeEmpty();
    }

    [Fact]
    public void Own_expunges_leave_only_known_messages_and_their_recent_state()
    {
        var tracker = new ImapSequenceTracker([10, 20, 30]);
        tracker.AddRecent([20, 30]);
        tracker.IsRecent(20).Should().BeTrue();

        var gone = tracker.Expunge([30, 99, 20, 20]);
        gone.Uids.Should().Equal(20u, 30u);
        gone.SequenceNumbers.Should().Equal(3u, 2u);
        tracker.Recent.Should().BeEmpty("an expunged message is no longer recent");
        tracker.Expunge([99]).Uids.Should().BeEmpty();
    }

    // Ranges as (low, high) pairs; 0 stands for "*".
    [Theory]
    [InlineData(new uint[] { 1, 2 }, false, false, true, new uint[] { 10, 20 })]
    [InlineData(new uint[] { 2, 0 }, false, false, true, new uint[] { 20, 30 })]
    [InlineData(new uint[] { 4, 4 }, false, false, false, new uint[0])]
    [InlineData(new uint[] { 2, 4 }, false, true, true, new uint[] { 20, 30 })]
    [InlineData(new uint[] { 15, 25, 30, 0 }, true, false, true, new uint[] { 20, 30 })]
    [InlineData(new uint[] { 31, 0 }, true, false, true, new uint[] { 30 })]
    public void Sets_resolve_to_known_uids(uint[] bounds, bool isUid, bool lenient, bool ok, uint[] expected)
    {
        var tracker = new ImapSequenceTracker([10, 20, 30]);
        var set = new ImapSequenceSet([.. bounds.Chunk(2).Select(b => new ImapSequenceRange(b[0], b[1]))]);
        tracker.TryResolve(set, isUid, lenient, out var uids).Should().Be(ok);
        if (ok)
        {
            uids.EnumerateUids().Should().Equal(expected);
        }
    }

    [Fact]
    public void An_empty_mailbox_knows_no_sequence_numbers()
    {
        var tracker = new ImapSequenceTracker([]);
        var all = new ImapSequenceSet([new ImapSequenceRange(1, 0)]);
        tracker.TryResolve(all, isUid: false, lenient: false, out _).Should().BeFalse("RFC 9051 §6.4: no message 1 in an empty mailbox");
        tracker.TryResolve(all, isUid: true, lenient: false, out var uids).Should().BeTrue();
        uids.EnumerateUids().Should().BeEmpty();
    }
}
