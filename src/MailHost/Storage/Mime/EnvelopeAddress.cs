namespace MailHost.Storage.Mime;

/// <summary>
/// One address of an IMAP ENVELOPE (RFC 9051 §7.5.2 <c>address</c>). A group is written as a start marker
/// (<see cref="Mailbox"/> = group name, <see cref="Host"/> = <see langword="null"/>), its members, and an end
/// marker (every field <see langword="null"/>), exactly as IMAP sends it.
/// </summary>
/// <param name="Name">The display name, RFC 2047-encoded when it is not ASCII; <see langword="null"/> when absent.</param>
/// <param name="Route">The obsolete source route (<c>@a,@b</c>), or <see langword="null"/>.</param>
/// <param name="Mailbox">The local part, or the group name for a group start marker.</param>
/// <param name="Host">The domain; <see langword="null"/> for group markers.</param>
public sealed record EnvelopeAddress(string? Name, string? Route, string? Mailbox, string? Host);
