namespace MailHost.Storage.Mime;

/// <summary>The output of <see cref="MimeIndexer"/>: the stored index plus the text that search uses.</summary>
/// <param name="Index">The index kept with the message.</param>
/// <param name="HeaderText">Top-level headers as <c>Name: decoded value</c> lines, capped (HEADER, FROM, SUBJECT... search).</param>
/// <param name="BodyText">Decoded text of the text parts, capped (BODY and TEXT search).</param>
/// <param name="MessageId">The Message-ID without angle brackets, or <see langword="null"/>.</param>
/// <param name="References">Message-IDs from References and In-Reply-To, for threading (RFC 8474 THREADID).</param>
public sealed record IndexedMessage(
    MessageIndex Index,
    string HeaderText,
    string BodyText,
    string? MessageId,
    IReadOnlyList<string> References)
{
    /// <summary>
    /// Leaf parts in an identity encoding (7BIT, 8BIT, BINARY) whose body holds NUL, in order: content no IMAP
    /// <c>BODY[]</c> literal can carry, which <see cref="BinaryPartEncoder"/> re-encodes as base64 when the append asks
    /// for it (<see cref="AppendOptions.EncodeNulParts"/>). Empty for nearly every message.
    /// </summary>
    public IReadOnlyList<MessagePart> NulParts { get; init; } = [];

    /// <summary>
    /// The top-level From, To, Cc and Bcc addresses as parsed (<see cref="Search.AddressSearchText"/>), capped like
    /// <see cref="HeaderText"/> (FROM, TO, CC, BCC search).
    /// </summary>
    public string AddressText { get; init; } = string.Empty;
}
