namespace MailHost.Storage.Mime;

/// <summary>
/// One MIME entity of a stored message with the byte offsets of its pieces in the stored content, so that
/// <c>BODY[1.2]</c>, <c>BODY[1.2.MIME]</c>, <c>BINARY[1.2]</c> and partial fetches are seeks into the stored bytes
/// (RFC 9051 §6.4.5). Offsets follow IMAP's rules: <see cref="BodyOffset"/>..<see cref="EndOffset"/> is the
/// part's body without the CRLF that belongs to the next boundary.
/// </summary>
/// <remarks>
/// The record carries what BODYSTRUCTURE needs (RFC 9051 §7.5.2, <c>body-type-1part</c> and <c>body-ext-*</c>).
/// A multipart has <see cref="Parts"/>; a <c>message/rfc822</c> (or <c>message/global</c>) part has
/// <see cref="Envelope"/> and <see cref="Message"/>, whose <see cref="HeaderOffset"/> equals this part's
/// <see cref="BodyOffset"/>.
/// </remarks>
public sealed record MessagePart
{
    /// <summary>The media type in lower case (<c>text</c>, <c>multipart</c>, ...).</summary>
    public required string MediaType { get; init; }

    /// <summary>The media subtype in lower case (<c>plain</c>, <c>mixed</c>, ...).</summary>
    public required string MediaSubtype { get; init; }

    /// <summary>Content-Type parameters in header order (for text parts <c>charset</c> defaults to <c>us-ascii</c>).</summary>
    public IReadOnlyList<MimeParameter> Parameters { get; init; } = [];

    /// <summary>Content-ID, or <see langword="null"/>.</summary>
    public string? ContentId { get; init; }

    /// <summary>Content-Description, or <see langword="null"/>.</summary>
    public string? Description { get; init; }

    /// <summary>Content-Transfer-Encoding in upper case; <c>7BIT</c> when absent.</summary>
    public string TransferEncoding { get; init; } = "7BIT";

    /// <summary>Content-MD5, or <see langword="null"/>.</summary>
    public string? Md5 { get; init; }

    /// <summary>The Content-Disposition value (<c>inline</c>, <c>attachment</c>), or <see langword="null"/>.</summary>
    public string? Disposition { get; init; }

    /// <summary>Content-Disposition parameters.</summary>
    public IReadOnlyList<MimeParameter> DispositionParameters { get; init; } = [];

    /// <summary>Content-Language tags.</summary>
    public IReadOnlyList<string> Languages { get; init; } = [];

    /// <summary>Content-Location, or <see langword="null"/>.</summary>
    public string? Location { get; init; }

    /// <summary>Where the part's header block starts.</summary>
    public long HeaderOffset { get; init; }

    /// <summary>Where the part's body starts (just after the blank line ending its headers).</summary>
    public long BodyOffset { get; init; }

    /// <summary>Where the part's body ends (exclusive).</summary>
    public long EndOffset { get; init; }

    /// <summary>Lines in the body (BODYSTRUCTURE <c>body-fld-lines</c> for text and message parts).</summary>
    public int Lines { get; init; }

    /// <summary>Child parts of a multipart; empty otherwise.</summary>
    public IReadOnlyList<MessagePart> Parts { get; init; } = [];

    /// <summary>The envelope of an encapsulated message; <see langword="null"/> otherwise.</summary>
    public MessageEnvelope? Envelope { get; init; }

    /// <summary>The body of an encapsulated message; <see langword="null"/> otherwise.</summary>
    public MessagePart? Message { get; init; }

    /// <summary>Body size in octets (BODYSTRUCTURE <c>body-fld-octets</c>).</summary>
    public long BodySize => EndOffset - BodyOffset;

    /// <summary>Whether this is a multipart.</summary>
    public bool IsMultipart => string.Equals(MediaType, "multipart", StringComparison.Ordinal);

    /// <summary>The value of a Content-Type parameter, or <see langword="null"/>.</summary>
    public string? GetParameter(string name)
    {
        foreach (var p in Parameters)
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return p.Value;
            }
        }

        return null;
    }
}
