namespace MailHost.Protocols.Imap;

/// <summary>
/// One ENVELOPE address (RFC 9051 §7.5.2 <c>address</c>): display name, source route (adl, obsolete), mailbox
/// (local part) and host. Groups (RFC 5322 §3.4) are written as a start entry with <see cref="Host"/> null and
/// <see cref="Mailbox"/> the group name, and an end entry with both null.
/// </summary>
public sealed record ImapAddress(string? Name, string? Route, string? Mailbox, string? Host);
