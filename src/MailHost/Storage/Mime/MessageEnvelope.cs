namespace MailHost.Storage.Mime;

/// <summary>
/// The IMAP ENVELOPE of a message (RFC 9051 §7.5.2), computed once at append. Strings are the header values as
/// sent (unfolded, encoded-words kept). Sender and Reply-To already default to From as the RFC requires.
/// </summary>
/// <param name="Date">The Date header value.</param>
/// <param name="Subject">The Subject header value.</param>
/// <param name="From">From addresses.</param>
/// <param name="Sender">Sender addresses (From when absent).</param>
/// <param name="ReplyTo">Reply-To addresses (From when absent).</param>
/// <param name="To">To addresses.</param>
/// <param name="Cc">Cc addresses.</param>
/// <param name="Bcc">Bcc addresses.</param>
/// <param name="InReplyTo">The In-Reply-To header value.</param>
/// <param name="MessageId">The Message-ID header value.</param>
public sealed record MessageEnvelope(
    string? Date,
    string? Subject,
    IReadOnlyList<EnvelopeAddress> From,
    IReadOnlyList<EnvelopeAddress> Sender,
    IReadOnlyList<EnvelopeAddress> ReplyTo,
    IReadOnlyList<EnvelopeAddress> To,
    IReadOnlyList<EnvelopeAddress> Cc,
    IReadOnlyList<EnvelopeAddress> Bcc,
    string? InReplyTo,
    string? MessageId)
{
    /// <summary>An envelope with every field empty (a message without headers).</summary>
    public static MessageEnvelope Empty { get; } = new(null, null, [], [], [], [], [], [], null, null);
}
