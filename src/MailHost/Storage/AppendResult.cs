namespace MailHost.Storage;

/// <summary>A durably stored message: the data for <c>[APPENDUID uidvalidity uid]</c> (RFC 4315) and more.</summary>
/// <param name="UidValidity">The target mailbox's UIDVALIDITY.</param>
/// <param name="Uid">The new message's UID.</param>
/// <param name="Size">The message size in octets.</param>
/// <param name="EmailId">The message's EMAILID (RFC 8474).</param>
public sealed record AppendResult(uint UidValidity, uint Uid, long Size, string EmailId);
