namespace MailHost.Storage;

/// <summary>
/// Why a store operation failed. Each code has one protocol mapping, so sessions never guess:
/// IMAP response codes (RFC 5530) and SMTP replies are noted per member.
/// </summary>
public enum StoreErrorCode
{
    /// <summary>The mailbox (or account) does not exist. IMAP <c>[NONEXISTENT]</c> / <c>[TRYCREATE]</c> for APPEND and COPY.</summary>
    NotFound,

    /// <summary>A mailbox with that name already exists. IMAP <c>[ALREADYEXISTS]</c>.</summary>
    AlreadyExists,

    /// <summary>The mailbox name breaks the naming rules (see <see cref="MailboxName"/>). IMAP <c>[CANNOT]</c>.</summary>
    InvalidName,

    /// <summary>The operation is never allowed on this object (deleting INBOX, renaming a mailbox into itself). IMAP <c>[CANNOT]</c>.</summary>
    NotAllowed,

    /// <summary>A <c>\Noselect</c> mailbox that still has children cannot be deleted (RFC 9051 §6.3.5). IMAP <c>[INUSE]</c>-free <c>NO</c>.</summary>
    HasChildren,

    /// <summary>The account's storage or message-count quota would be exceeded. IMAP <c>[OVERQUOTA]</c>, SMTP <c>552 5.2.2</c>.</summary>
    OverQuota,

    /// <summary>The message is larger than the store accepts. IMAP <c>[TOOBIG]</c>, SMTP <c>552 5.3.4</c>.</summary>
    TooBig,

    /// <summary>A per-mailbox limit was hit (keyword count) or a search is nested too deeply. IMAP <c>[LIMIT]</c>.</summary>
    LimitExceeded,

    /// <summary>The view was opened read-only (EXAMINE). IMAP <c>NO [READ-ONLY]</c>-style refusal.</summary>
    ReadOnly,

    /// <summary>An argument is malformed (a keyword that is not an atom, an empty delivery list). IMAP <c>BAD</c>.</summary>
    InvalidArgument,

    /// <summary>The store could not make the change durable (I/O failure, a locked or read-only database). IMAP <c>[UNAVAILABLE]</c>, SMTP <c>451 4.3.0</c>.</summary>
    Unavailable,

    /// <summary>
    /// The account this <see cref="IMailAccount"/> was opened for has been deleted (<see cref="IMailStore.DeleteAccountAsync"/>),
    /// even if an account of the same name exists again: a session of the removed account is over. IMAP untagged <c>BYE</c>.
    /// </summary>
    AccountRemoved,

    /// <summary>
    /// The store's disk (or the file system quota of its user) is full: nothing was stored, and the same write succeeds
    /// once space is freed. IMAP <c>[UNAVAILABLE]</c> (the space is the server's, not the user's quota: RFC 5530
    /// <c>[OVERQUOTA]</c> would tell the user to delete mail), SMTP <c>452 4.3.1</c> (RFC 5321 §4.2.5 "insufficient
    /// system storage", RFC 3463 §3.4).
    /// </summary>
    InsufficientStorage,
}
