namespace MailHost.Storage.Mime;

/// <summary>
/// What MIME indexing learnt about a message once, at append or delivery: ENVELOPE, BODYSTRUCTURE with offsets,
/// the header block's extent and a preview. FETCH serves from this and never re-parses.
/// </summary>
/// <param name="Envelope">The top-level envelope.</param>
/// <param name="Body">The top-level body structure; its <see cref="MessagePart.HeaderOffset"/> is 0.</param>
/// <param name="HeaderLength">Length of the top-level header block including the blank line (<c>BODY[HEADER]</c>).</param>
/// <param name="Preview">Up to 256 characters of text for <c>PREVIEW</c> (RFC 8970); empty when the message has no text.</param>
/// <param name="SentDate">The parsed Date header for SENTBEFORE/SENTON/SENTSINCE, or <see langword="null"/>.</param>
/// <param name="Clipped">Whether the structure was clipped (too many parts, too deep, or unparseable MIME).</param>
public sealed record MessageIndex(
    MessageEnvelope Envelope,
    MessagePart Body,
    long HeaderLength,
    string Preview,
    DateTimeOffset? SentDate,
    bool Clipped)
{
    /// <summary>
    /// The Message IDs of the top-level References header, normalized as RFC 5256 §2.2 asks
    /// (<see cref="Protocols.Mail.MessageIdParser"/>), in header order; empty when the header is missing or holds
    /// no valid id. At most <see cref="MimeIndexer.MaxThreadReferences"/> are kept: the first (the thread's start)
    /// and the last ones (the nearest ancestors, which threading links first).
    /// <see langword="null"/> when unknown (from a store that does not keep them); threading then treats the message
    /// as having no References header. The built-in stores always fill them in.
    /// </summary>
    public IReadOnlyList<string>? References { get; init; }
}
