namespace MailHost.Storage;

/// <summary>
/// Limits every store enforces on what clients control (SECURITY.md rule 3). The defaults follow the
/// catalogue: MIME parts and depth from Dovecot's limits, name rules from E2.
/// </summary>
public sealed record MailStoreLimits
{
    /// <summary>The defaults.</summary>
    public static MailStoreLimits Default { get; } = new();

    /// <summary>Longest mailbox name in UTF-16 code units, delimiters included.</summary>
    public int MaxMailboxNameLength { get; init; } = 1000;

    /// <summary>Longest single hierarchy level.</summary>
    public int MaxMailboxLevelLength { get; init; } = 255;

    /// <summary>Most hierarchy levels in one name (<c>a/b/c</c> has 3).</summary>
    public int MaxMailboxDepth { get; init; } = 32;

    /// <summary>Most mailboxes one account may have.</summary>
    public int MaxMailboxesPerAccount { get; init; } = 10_000;

    /// <summary>Most distinct keywords one mailbox may define (IMAP answers <c>[LIMIT]</c> beyond).</summary>
    public int MaxKeywordsPerMailbox { get; init; } = 128;

    /// <summary>Largest message accepted, in octets.</summary>
    public long MaxMessageSize { get; init; } = 256L * 1024 * 1024;

    /// <summary>Most MIME parts indexed per message; the rest of the structure is clipped (SECURITY.md C8).</summary>
    public int MaxMimeParts { get; init; } = 10_000;

    /// <summary>Deepest MIME nesting indexed; deeper parts are treated as opaque leaves (SECURITY.md C8).</summary>
    public int MaxMimeDepth { get; init; } = 100;

    /// <summary>
    /// Most characters of decoded body text kept per message for BODY/TEXT search (about a hundred pages; an HTML
    /// part's markup is read up to four times as many bytes, since its visible text is a fraction of it). The text is
    /// held in memory while a message is stored and indexed, so this bounds what a large message costs there.
    /// </summary>
    public int MaxIndexedTextLength { get; init; } = 256 * 1024;

    /// <summary>Most characters of header text kept per message for HEADER/FROM/SUBJECT... search.</summary>
    public int MaxIndexedHeaderLength { get; init; } = 256 * 1024;

    /// <summary>Deepest search criteria tree accepted (SECURITY.md C4); deeper gets <see cref="StoreErrorCode.LimitExceeded"/>.</summary>
    public int MaxSearchDepth { get; init; } = 100;
}
