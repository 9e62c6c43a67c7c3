namespace MailHost.Storage;

/// <summary>The outcome of EXPUNGE / UID EXPUNGE.</summary>
/// <param name="Expunged">The UIDs removed, ascending.</param>
/// <param name="HighestModSeq">The mailbox's HIGHESTMODSEQ afterwards.</param>
public sealed record ExpungeResult(IReadOnlyList<uint> Expunged, ulong HighestModSeq);
