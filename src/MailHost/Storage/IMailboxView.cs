using MailHost.Storage.Search;

namespace MailHost.Storage;

/// <summary>
/// A selected mailbox (RFC 9051 §6.4). The store speaks UIDs only; the IMAP session keeps sequence numbers and
/// decides when to announce changes. The view holds a snapshot that moves forward only through
/// <see cref="PollChangesAsync(CancellationToken)"/> and through its own expunges and moves.
/// </summary>
/// <remarks>
/// <para>
/// Every operation acts on the messages of the snapshot only: a message another session appended is not fetched,
/// searched, flagged, copied or expunged through this view until <see cref="PollChangesAsync(CancellationToken)"/>
/// has announced it, so the session never has to talk about a message its client was not told of (RFC 9051 §7.4.1).
/// </para>
/// <para>
/// The other way round, a message stays in the snapshot until the session can tell its client that it is gone: an
/// expunge by another session leaves the snapshot only through
/// <see cref="PollChangesAsync(bool, CancellationToken)"/> with <c>takeExpunges</c>, which the session asks for only
/// where it may send EXPUNGE (RFC 9051 §7.5.1: never during FETCH, STORE or SEARCH). Until then the message stays
/// readable through this view, whole: its last flags and its content byte for byte (RFC 2180 §4.1.1), so FETCH never
/// answers with empty or made-up data. STORE, SEARCH, COPY and EXPUNGE pass over it: it no longer exists.
/// </para>
/// <para>
/// The store keeps the row and the content of an expunged message while any open view of this process still holds
/// it, and releases them when the last one lets go (it takes the expunge, or is disposed); what a crash leaves behind
/// is released when the store opens again. Only content removed outside this contract (the mailbox deleted, or an
/// expunge by another process sharing the store) can be gone while a view still holds the message.
/// </para>
/// <para>
/// Changes by others arrive through the store's change feed: <see cref="WaitForChangesAsync"/> completes when
/// anything changed after the snapshot (IDLE), and <see cref="PollChangesAsync(CancellationToken)"/> returns the
/// changes in MODSEQ order (NOOP, and after each command). A view is used by one session at a time; disposing it
/// lets go of every message it held.
/// </para>
/// </remarks>
public interface IMailboxView : IAsyncDisposable
{
    /// <summary>The view's current snapshot.</summary>
    MailboxSnapshot Snapshot { get; }

    /// <summary>
    /// FETCH: the messages of the snapshot among <paramref name="uids"/>, ascending, including those another session
    /// expunged that the view has not yet taken (their flags as they were at the expunge; their content stays
    /// readable until the view lets go of them). Only a message whose data is truly gone is skipped. Content is opened
    /// per message on demand (<see cref="MessageData.Content"/>).
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

    /// <summary>
    /// COPY (atomic; COPYUID data per RFC 4315). <see cref="StoreErrorCode.NotFound"/> means <c>[TRYCREATE]</c>.
    /// Copies into the selected mailbox are reported as appended by the next poll.
    /// </summary>
    ValueTask<StoreResult<CopyResult>> CopyAsync(UidSet uids, string destination, CancellationToken cancellationToken);

    /// <summary>
    /// MOVE (RFC 6851; atomic): copies and expunges in one durable step. The moved source UIDs leave this view's
    /// snapshot; the session announces them as expunged. The destination may be the selected mailbox itself
    /// (RFC 6851 §3.3: the same as COPY, then UID EXPUNGE): the messages get new UIDs there, with their flags and
    /// keywords and a new MODSEQ, and the next poll reports them as appended.
    /// </summary>
    ValueTask<StoreResult<CopyResult>> MoveAsync(UidSet uids, string destination, CancellationToken cancellationToken);

    /// <summary>
    /// <c>\Recent</c> for an IMAP4rev1 session (RFC 3501 §2.3.2): a message is recent in exactly one session, the first
    /// to select its mailbox after it arrived. A read-write view atomically claims every message of its snapshot that
    /// no session has claimed yet and returns those UIDs, ascending; the claim is kept by the store per mailbox, so it
    /// holds between concurrent sessions and processes. A read-only view (EXAMINE) returns the unclaimed messages of
    /// its snapshot without claiming them. Call it after opening and after each <see cref="PollChangesAsync(bool, CancellationToken)"/> that
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
    /// Takes every change since the snapshot and moves the snapshot forward; the same as
    /// <see cref="PollChangesAsync(bool, CancellationToken)"/> with <c>takeExpunges</c>.
    /// </summary>
    ValueTask<StoreResult<MailboxChanges>> PollChangesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Takes the changes since the snapshot and moves the snapshot forward. Fails with
    /// <see cref="StoreErrorCode.NotFound"/> once the mailbox was deleted (the session should then leave the
    /// selected state).
    /// </summary>
    /// <param name="takeExpunges">
    /// Whether to take expunges: <see langword="false"/> while the session may not announce them (RFC 9051 §7.5.1).
    /// Expunged messages then stay in the snapshot, readable, and a later poll that takes expunges reports them.
    /// Appends and flag changes are always taken.
    /// </param>
    /// <param name="cancellationToken">Cancels the read.</param>
    ValueTask<StoreResult<MailboxChanges>> PollChangesAsync(bool takeExpunges, CancellationToken cancellationToken);
}
