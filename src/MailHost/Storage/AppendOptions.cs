namespace MailHost.Storage;

/// <summary>What APPEND (or a delivery) sets on the new message besides its content.</summary>
/// <param name="Flags">Initial system flags.</param>
/// <param name="Keywords">Initial keywords; each must be a valid <see cref="MessageKeyword"/>.</param>
/// <param name="InternalDate">INTERNALDATE; <see langword="null"/> means now.</param>
public sealed record AppendOptions(
    MessageFlags Flags = MessageFlags.None,
    IReadOnlyList<string>? Keywords = null,
    DateTimeOffset? InternalDate = null)
{
    /// <summary>No flags, no keywords, INTERNALDATE now.</summary>
    public static AppendOptions Default { get; } = new();

    /// <summary>
    /// Re-encode as base64 the leaf parts whose content holds NUL (<see cref="Mime.BinaryPartEncoder"/>): set for an
    /// IMAP APPEND with a literal8, where RFC 3516 §4.4 allows it. Otherwise the content is stored exactly as received.
    /// </summary>
    public bool EncodeNulParts { get; init; }
}
