namespace MailHost.Protocols.Imap;

/// <summary>The text part of a body section (RFC 9051 §6.4.5 <c>section-text</c>).</summary>
public enum ImapSectionKind
{
    /// <summary>No text part: the whole message (<c>BODY[]</c>) or the whole part (<c>BODY[1.2]</c>).</summary>
    Full,

    /// <summary><c>HEADER</c>.</summary>
    Header,

    /// <summary><c>HEADER.FIELDS (list)</c>.</summary>
    HeaderFields,

    /// <summary><c>HEADER.FIELDS.NOT (list)</c>.</summary>
    HeaderFieldsNot,

    /// <summary><c>TEXT</c>.</summary>
    Text,

    /// <summary><c>MIME</c> (only after a part number).</summary>
    Mime,
}
