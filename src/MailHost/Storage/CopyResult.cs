namespace MailHost.Storage;

/// <summary>
/// The result of COPY or MOVE: the data for <c>[COPYUID uidvalidity source-uids dest-uids]</c> (RFC 4315), the
/// two lists in matching order. Source UIDs that no longer existed are simply absent.
/// </summary>
/// <param name="DestinationUidValidity">The destination mailbox's UIDVALIDITY.</param>
/// <param name="SourceUids">The source messages copied, ascending.</param>
/// <param name="DestinationUids">The new UIDs, one per source UID in the same order.</param>
public sealed record CopyResult(uint DestinationUidValidity, IReadOnlyList<uint> SourceUids, IReadOnlyList<uint> DestinationUids);
