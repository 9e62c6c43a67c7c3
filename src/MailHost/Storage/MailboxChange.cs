namespace MailHost.Storage;

/// <summary>One change to a selected mailbox, with its MODSEQ.</summary>
/// <param name="Kind">Appended, expunged or flags changed.</param>
/// <param name="Uid">The message's UID.</param>
/// <param name="ModSeq">The MODSEQ of the change.</param>
/// <param name="Flags">Current system flags (none for an expunge).</param>
/// <param name="Keywords">Current keywords (empty for an expunge).</param>
public sealed record MailboxChange(MailboxChangeKind Kind, uint Uid, ulong ModSeq, MessageFlags Flags, IReadOnlyList<string> Keywords);
