namespace MailHost.Protocols.Imap;

/// <summary>
/// A body section specifier (RFC 9051 §6.4.5): part numbers (empty for the whole message), then the text part.
/// <see cref="Fields"/> holds the header field names of HEADER.FIELDS(.NOT), upper-cased; it is empty otherwise.
/// </summary>
public sealed record ImapSection(IReadOnlyList<uint> Part, ImapSectionKind Kind, IReadOnlyList<string> Fields)
{
    /// <summary><c>[]</c>: the whole message.</summary>
    public static ImapSection Whole { get; } = new([], ImapSectionKind.Full, []);
}
