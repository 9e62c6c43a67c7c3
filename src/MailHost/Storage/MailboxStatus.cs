namespace MailHost.Storage;

/// <summary>A mailbox's counters as STATUS reports them (RFC 9051 §6.3.11, RFC 7162 HIGHESTMODSEQ).</summary>
/// <param name="Name">The mailbox's canonical name.</param>
/// <param name="Messages">Number of messages.</param>
/// <param name="Unseen">Messages without <c>\Seen</c>.</param>
/// <param name="Deleted">Messages with <c>\Deleted</c> (STATUS DELETED).</param>
/// <param name="UidNext">The UID the next message will get at least.</param>
/// <param name="UidValidity">The mailbox's UIDVALIDITY.</param>
/// <param name="HighestModSeq">The highest MODSEQ of any change in the mailbox.</param>
/// <param name="Size">Sum of message sizes in octets (STATUS SIZE).</param>
/// <param name="Recent">Messages no session has claimed as <c>\Recent</c> yet (STATUS RECENT, RFC 3501 §6.3.10).</param>
public sealed record MailboxStatus(
    string Name,
    int Messages,
    int Unseen,
    int Deleted,
    uint UidNext,
    uint UidValidity,
    ulong HighestModSeq,
    long Size,
    int Recent);
