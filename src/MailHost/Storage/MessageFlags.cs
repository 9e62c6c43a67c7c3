namespace MailHost.Storage;

/// <summary>The IMAP system flags a message can carry (RFC 9051 §2.3.2). <c>\Recent</c> is not stored: IMAP4rev2 dropped it.</summary>
[Flags]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "IMAP calls these flags (RFC 9051 §2.3.2).")]
public enum MessageFlags
{
    /// <summary>No system flag.</summary>
    None = 0,

    /// <summary><c>\Seen</c>.</summary>
    Seen = 1,

    /// <summary><c>\Answered</c>.</summary>
    Answered = 2,

    /// <summary><c>\Flagged</c>.</summary>
    Flagged = 4,

    /// <summary><c>\Deleted</c>.</summary>
    Deleted = 8,

    /// <summary><c>\Draft</c>.</summary>
    Draft = 16,
}
