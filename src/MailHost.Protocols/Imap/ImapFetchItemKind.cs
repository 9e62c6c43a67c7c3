namespace MailHost.Protocols.Imap;

/// <summary>A FETCH data item name (RFC 9051 §6.4.5 and extensions).</summary>
public enum ImapFetchItemKind
{
    /// <summary><c>ENVELOPE</c>.</summary>
    Envelope,

    /// <summary><c>FLAGS</c>.</summary>
    Flags,

    /// <summary><c>INTERNALDATE</c>.</summary>
    InternalDate,

    /// <summary><c>RFC822</c> (IMAP4rev1; like <c>BODY[]</c>).</summary>
    Rfc822,

    /// <summary><c>RFC822.HEADER</c> (like <c>BODY.PEEK[HEADER]</c>).</summary>
    Rfc822Header,

    /// <summary><c>RFC822.SIZE</c>.</summary>
    Rfc822Size,

    /// <summary><c>RFC822.TEXT</c> (like <c>BODY[TEXT]</c>).</summary>
    Rfc822Text,

    /// <summary><c>BODY</c> without a section: the non-extensible body structure.</summary>
    Body,

    /// <summary><c>BODYSTRUCTURE</c>.</summary>
    BodyStructure,

    /// <summary><c>BODY[section]&lt;partial&gt;</c> or <c>BODY.PEEK[...]</c>.</summary>
    BodySection,

    /// <summary><c>BINARY[part]&lt;partial&gt;</c> or <c>BINARY.PEEK[...]</c> (RFC 3516).</summary>
    Binary,

    /// <summary><c>BINARY.SIZE[part]</c> (RFC 3516).</summary>
    BinarySize,

    /// <summary><c>UID</c>.</summary>
    Uid,

    /// <summary><c>MODSEQ</c> (RFC 7162).</summary>
    ModSeq,

    /// <summary><c>EMAILID</c> (RFC 8474).</summary>
    EmailId,

    /// <summary><c>THREADID</c> (RFC 8474).</summary>
    ThreadId,

    /// <summary><c>SAVEDATE</c> (RFC 8514).</summary>
    SaveDate,

    /// <summary><c>PREVIEW</c> (RFC 8970).</summary>
    Preview,
}
