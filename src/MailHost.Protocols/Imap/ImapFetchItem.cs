namespace MailHost.Protocols.Imap;

/// <summary>
/// One FETCH data item. Macros (ALL, FAST, FULL) are expanded by the parser into their items (RFC 9051 §6.4.5).
/// </summary>
/// <param name="Kind">The item.</param>
/// <param name="Section">For <see cref="ImapFetchItemKind.BodySection"/>, <see cref="ImapFetchItemKind.Binary"/> and <see cref="ImapFetchItemKind.BinarySize"/>; null otherwise.</param>
/// <param name="Peek">True for BODY.PEEK / BINARY.PEEK (do not set <c>\Seen</c>).</param>
/// <param name="PartialOffset">The <c>&lt;offset.length&gt;</c> offset, or null for no partial.</param>
/// <param name="PartialLength">The partial length (at least 1), or null for no partial.</param>
/// <param name="Lazy">For PREVIEW: the LAZY modifier (RFC 8970).</param>
public sealed record ImapFetchItem(
    ImapFetchItemKind Kind,
    ImapSection? Section = null,
    bool Peek = false,
    long? PartialOffset = null,
    long? PartialLength = null,
    bool Lazy = false)
{
    /// <summary><c>ENVELOPE</c>.</summary>
    public static ImapFetchItem Envelope { get; } = new(ImapFetchItemKind.Envelope);

    /// <summary><c>FLAGS</c>.</summary>
    public static ImapFetchItem Flags { get; } = new(ImapFetchItemKind.Flags);

    /// <summary><c>INTERNALDATE</c>.</summary>
    public static ImapFetchItem InternalDate { get; } = new(ImapFetchItemKind.InternalDate);

    /// <summary><c>RFC822</c>.</summary>
    public static ImapFetchItem Rfc822 { get; } = new(ImapFetchItemKind.Rfc822);

    /// <summary><c>RFC822.HEADER</c>.</summary>
    public static ImapFetchItem Rfc822Header { get; } = new(ImapFetchItemKind.Rfc822Header);

    /// <summary><c>RFC822.SIZE</c>.</summary>
    public static ImapFetchItem Rfc822Size { get; } = new(ImapFetchItemKind.Rfc822Size);

    /// <summary><c>RFC822.TEXT</c>.</summary>
    public static ImapFetchItem Rfc822Text { get; } = new(ImapFetchItemKind.Rfc822Text);

    /// <summary><c>BODY</c>.</summary>
    public static ImapFetchItem Body { get; } = new(ImapFetchItemKind.Body);

    /// <summary><c>BODYSTRUCTURE</c>.</summary>
    public static ImapFetchItem BodyStructure { get; } = new(ImapFetchItemKind.BodyStructure);

    /// <summary><c>UID</c>.</summary>
    public static ImapFetchItem Uid { get; } = new(ImapFetchItemKind.Uid);

    /// <summary><c>MODSEQ</c>.</summary>
    public static ImapFetchItem ModSeq { get; } = new(ImapFetchItemKind.ModSeq);

    /// <summary><c>EMAILID</c>.</summary>
    public static ImapFetchItem EmailId { get; } = new(ImapFetchItemKind.EmailId);

    /// <summary><c>THREADID</c>.</summary>
    public static ImapFetchItem ThreadId { get; } = new(ImapFetchItemKind.ThreadId);

    /// <summary><c>SAVEDATE</c>.</summary>
    public static ImapFetchItem SaveDate { get; } = new(ImapFetchItemKind.SaveDate);

    /// <summary><c>PREVIEW</c>.</summary>
    public static ImapFetchItem Preview { get; } = new(ImapFetchItemKind.Preview);

    /// <summary><c>PREVIEW (LAZY)</c>.</summary>
    public static ImapFetchItem PreviewLazy { get; } = new(ImapFetchItemKind.Preview, Lazy: true);
}
