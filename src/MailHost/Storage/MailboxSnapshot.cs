namespace MailHost.Storage;

/// <summary>
/// A consistent picture of a selected mailbox: what SELECT/EXAMINE report, and the UIDs from which the IMAP
/// session builds its sequence numbers. <see cref="IMailboxView.Snapshot"/> moves forward only when the session
/// takes changes (<see cref="IMailboxView.PollChangesAsync(CancellationToken)"/>) or expunges itself.
/// </summary>
/// <param name="Name">The mailbox's canonical name.</param>
/// <param name="UidValidity">UIDVALIDITY.</param>
/// <param name="UidNext">UIDNEXT.</param>
/// <param name="HighestModSeq">HIGHESTMODSEQ.</param>
/// <param name="Uids">Every message's UID, ascending: sequence number n is <c>Uids[n - 1]</c>.</param>
/// <param name="Keywords">Keywords defined in the mailbox (the FLAGS response).</param>
/// <param name="CanCreateKeywords">Whether new keywords may still be created (<c>\*</c> in PERMANENTFLAGS).</param>
/// <param name="Unseen">Messages without <c>\Seen</c>.</param>
/// <param name="FirstUnseenUid">The lowest UID without <c>\Seen</c>, or 0.</param>
/// <param name="ReadOnly">Whether the view was opened read-only (EXAMINE).</param>
public sealed record MailboxSnapshot(
    string Name,
    uint UidValidity,
    uint UidNext,
    ulong HighestModSeq,
    IReadOnlyList<uint> Uids,
    IReadOnlyList<string> Keywords,
    bool CanCreateKeywords,
    int Unseen,
    uint FirstUnseenUid,
    bool ReadOnly);
