namespace MailHost.Protocols.Imap;

/// <summary>
/// The ENVELOPE of a message (RFC 9051 §7.5.2), as the store parsed it. Strings are the decoded header values
/// (null when the header is absent); address lists are null or empty when absent.
/// </summary>
public sealed record ImapEnvelope(
    string? Date,
    string? Subject,
    IReadOnlyList<ImapAddress>? From,
    IReadOnlyList<ImapAddress>? Sender,
    IReadOnlyList<ImapAddress>? ReplyTo,
    IReadOnlyList<ImapAddress>? To,
    IReadOnlyList<ImapAddress>? Cc,
    IReadOnlyList<ImapAddress>? Bcc,
    string? InReplyTo,
    string? MessageId);
