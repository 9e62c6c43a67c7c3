namespace MailHost.Protocols.Imap;

/// <summary>
/// One node of a BODYSTRUCTURE (RFC 9051 §7.5.2 <c>body</c>), as the store parsed the MIME tree.
/// A multipart has <see cref="Parts"/> (one or more) and only <see cref="Subtype"/>, <see cref="Parameters"/>,
/// the disposition, language and location apply. A <c>message/rfc822</c> (or <c>message/global</c>) part has
/// <see cref="Envelope"/> and exactly one element in <see cref="Parts"/>: the encapsulated message's structure.
/// <see cref="Lines"/> is set for <c>text/*</c> and encapsulated messages.
/// </summary>
public sealed record ImapBodyStructure(
    string Type,
    string Subtype,
    IReadOnlyList<KeyValuePair<string, string>>? Parameters = null,
    string? Id = null,
    string? Description = null,
    string Encoding = "7BIT",
    long Size = 0,
    long? Lines = null,
    string? Md5 = null,
    string? Disposition = null,
    IReadOnlyList<KeyValuePair<string, string>>? DispositionParameters = null,
    IReadOnlyList<string>? Language = null,
    string? Location = null,
    IReadOnlyList<ImapBodyStructure>? Parts = null,
    ImapEnvelope? Envelope = null)
{
    /// <summary>True for <c>multipart/*</c>.</summary>
    public bool IsMultipart => string.Equals(Type, "multipart", StringComparison.OrdinalIgnoreCase);

    /// <summary>True for an encapsulated message (<c>message/rfc822</c> or <c>message/global</c>) with its envelope and structure.</summary>
    public bool IsMessage => Envelope is not null && Parts is { Count: 1 }
        && string.Equals(Type, "message", StringComparison.OrdinalIgnoreCase)
        && (string.Equals(Subtype, "rfc822", StringComparison.OrdinalIgnoreCase) || string.Equals(Subtype, "global", StringComparison.OrdinalIgnoreCase));
}
