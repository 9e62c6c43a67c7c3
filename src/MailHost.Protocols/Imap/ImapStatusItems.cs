namespace MailHost.Protocols.Imap;

/// <summary>STATUS data items (RFC 9051 §6.3.11 and extensions), as flags.</summary>
[Flags]
public enum ImapStatusItems
{
    /// <summary>None.</summary>
    None = 0,

    /// <summary><c>MESSAGES</c>.</summary>
    Messages = 1,

    /// <summary><c>UIDNEXT</c>.</summary>
    UidNext = 2,

    /// <summary><c>UIDVALIDITY</c>.</summary>
    UidValidity = 4,

    /// <summary><c>UNSEEN</c>.</summary>
    Unseen = 8,

    /// <summary><c>DELETED</c> (RFC 9051).</summary>
    Deleted = 16,

    /// <summary><c>SIZE</c> (RFC 8438 STATUS=SIZE).</summary>
    Size = 32,

    /// <summary><c>RECENT</c> (IMAP4rev1 only).</summary>
    Recent = 64,

    /// <summary><c>HIGHESTMODSEQ</c> (RFC 7162).</summary>
    HighestModSeq = 128,

    /// <summary><c>APPENDLIMIT</c> (RFC 7889).</summary>
    AppendLimit = 256,

    /// <summary><c>MAILBOXID</c> (RFC 8474).</summary>
    MailboxId = 512,
}
