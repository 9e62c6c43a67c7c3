namespace MailHost.Imap;

/// <summary>
/// Messages leaving the client's sequence: their UIDs ascending (for VANISHED, RFC 7162 §3.2.10) and their sequence
/// numbers in the order EXPUNGE responses carry them, highest first (RFC 9051 §7.4.1).
/// </summary>
internal sealed record ImapExpungeAnnouncement(IReadOnlyList<uint> Uids, IReadOnlyList<uint> SequenceNumbers);
