using MailHost.Storage.Search;

namespace MailHost.Storage;

/// <summary>
/// A selected mailbox (RFC 9051 §6.4). The store speaks UIDs only; the IMAP session keeps sequence numbers and
/// decides when to announce changes. The view holds a snapshot that moves forward only through
/// <see cref="PollChangesAsync"/> and through its own expunges and moves.
/// </summary>
/// <remarks>
/// Every operation acts on the messages of the snapshot only: a message another session appended is not fetched,
/// searched, flagged, copied or expunged through this view until <see cref="PollChangesAsync"/> has announced it,
/// so the session never has to talk about a message its client was not told of (RFC 9051 §7.4.1).
/// Changes by others arrive through the store's change feed: <see cref="WaitForChangesAsync"/> completes when
/// anything changed after the snapshot (IDLE), and <see cref="PollChangesAsync"/> returns the changes in MODSEQ
/// order (NOOP, and after each command). A view is used by one session at a time.
/// </remarks>
public interface IMailboxView : IAsyncDisposable
{
    /// <summary>The view's current snapshot.</summary>
    MailboxSnapshot Snapshot { get; }

    /// <summary>
    /// FETCH: the existing messages among <paramref name="uids"/>, ascending. Messages expunged meanwhile are
    /// skipped. Content is opened per message on demand (<see cref="MessageData.Content"/>).
    /// </summary>
    IAsyncEnumerable<MessageData> FetchAsync(UidSet uids, FetchOptions options, CancellationToken cancellationToken);

    /// <summary>
    /// STORE (RFC 9051 §6.4.6, RFC 7162 UNCHANGEDSINCE). MODSEQ rises only for messages that actually changed.
    /// New keywords beyond <see cref="MailStoreLimits.MaxKeywordsPerMailbox"/> fail with
    /// <see cref="StoreErrorCode.LimitExceeded"/>; a read-only view fails with <see cref="StoreErrorCode.ReadOnly"/>.
    /// </summary>
    ValueTask<StoreResult<StoreFlagsResult>> StoreFlagsAsync(
        UidSet uids,
        FlagOperation operation,
        MessageFlags flags,
        IReadOnlyList<string> keywords,
        ulong? unchangedSince,
        CancellationToken cancellationToken);

    /// <summary>SEARCH: the matching UIDs among the mailbox's current messages; a tree deeper than the limit is <see cref="StoreErrorCode.LimitExceeded"/>.</summary>
    ValueTask<StoreResult<SearchResult>> SearchAsync(SearchCriteria criteria, CancellationToken cancellationToken);

    /// <summary>
    /// EXPUNGE (all <c>\Deleted</c> messages) or UID EXPUNGE (those among <paramref name="uids"/>, RFC 4315). The
    /// expunged UIDs are remembered with their MODSEQ for QRESYNC and leave this view's snapshot at once.
    /// </summary>
    ValueTask<StoreResult<ExpungeResult>> ExpungeAsync(UidSet? uids, CancellationToken cancellationToken);

    /// <summary>COPY (atomic; COPYUID data per RFC 4315). <see cref="StoreErrorCode.NotFound"/> means <c>[TRYCREATE]</c>.</summary>
    ValueTask<StoreResult<CopyResult>> CopyAsync(UidSet uids, string destination, CancellationToken cancellationToken);

    /// <summary>
    /// MOVE (RFC 6851; atomic): copies and expunges in one durable step. The moved source UIDs leave this view's
    /// snapshot; the session announces them as expunged.
    /// </summary>
    ValueTask<StoreResult<CopyResult>> MoveAsync(UidSet uids, string destination, CancellationToken cancellationToken);

    /// <summary>
    /// <c>\Recent</c> for an IMAP4rev1 session (RFC 3501 §2.3.2): a message is recent in exactly one session, the first
    /// to select its mailbox after it arrived. A read-write view atomically claims every message of its snapshot that
    /// no session has claimed yet and returns those UIDs, ascending; the claim is kept by the store per mailbox, so it
    /// holds between concurrent sessions and processes. A read-only view (EXAMINE) returns the unclaimed messages of
    /// its snapshot without claiming them. Call it after opening and after each <see cref="PollChangesAsync"/> that
    /// brought new messages; a message returned once is never returned again to a read-write view.
    /// </summary>
    ValueTask<StoreResult<IReadOnlyList<uint>>> ClaimRecentAsync(CancellationToken cancellationToken);

    /// <summary>UIDs expunged with a MODSEQ above <paramref name="sinceModSeq"/>, ascending (QRESYNC VANISHED (EARLIER), RFC 7162 §3.2.5).</summary>
    ValueTask<StoreResult<IReadOnlyList<uint>>> GetVanishedAsync(ulong sinceModSeq, CancellationToken cancellationToken);

    /// <summary>
    /// Completes when the mailbox changed after this view's snapshot (or was deleted), possibly at once. Another
    /// session's change reaches it within milliseconds. Cancel it to end IDLE.
    /// </summary>
    ValueTask WaitForChangesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Takes every change since the snapshot and moves the snapshot forward. Fails with
    /// <see cref="StoreErrorCode.NotFound"/> once the mailbox was deleted (the session should then leave the
    /// selected state).
    /// </summary>
    ValueTask<StoreResult<MailboxChanges>> PollChangesAsync(CancellationToken cancellationToken);
}
