namespace MailHost.Storage;

/// <summary>
/// Attributes of a mailbox as LIST reports them: hierarchy state (RFC 9051 §7.3.1), subscription, and the
/// special-use role (RFC 6154).
/// </summary>
[Flags]
public enum MailboxAttributes
{
    /// <summary>No attribute.</summary>
    None = 0,

    /// <summary><c>\Noselect</c>: a hierarchy placeholder left by deleting a mailbox that has children.</summary>
    Noselect = 1 << 0,

    /// <summary><c>\HasChildren</c>.</summary>
    HasChildren = 1 << 1,

    /// <summary><c>\HasNoChildren</c>.</summary>
    HasNoChildren = 1 << 2,

    /// <summary><c>\Subscribed</c>.</summary>
    Subscribed = 1 << 3,

    /// <summary><c>\All</c> (RFC 6154).</summary>
    All = 1 << 8,

    /// <summary><c>\Archive</c> (RFC 6154).</summary>
    Archive = 1 << 9,

    /// <summary><c>\Drafts</c> (RFC 6154).</summary>
    Drafts = 1 << 10,

    /// <summary><c>\Flagged</c> (RFC 6154).</summary>
    Flagged = 1 << 11,

    /// <summary><c>\Junk</c> (RFC 6154).</summary>
    Junk = 1 << 12,

    /// <summary><c>\Sent</c> (RFC 6154).</summary>
    Sent = 1 << 13,

    /// <summary><c>\Trash</c> (RFC 6154).</summary>
    Trash = 1 << 14,

    /// <summary>Every special-use bit; <c>attributes &amp; SpecialUseMask</c> is a mailbox's role.</summary>
    SpecialUseMask = All | Archive | Drafts | Flagged | Junk | Sent | Trash,
}
