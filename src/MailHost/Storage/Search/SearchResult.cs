namespace MailHost.Storage.Search;

/// <summary>The UIDs that matched, ascending, and the highest MODSEQ among them (RFC 7162 §3.1.5; 0 when none).</summary>
/// <param name="Uids">Matching UIDs, ascending.</param>
/// <param name="HighestModSeq">The highest MODSEQ of the matching messages.</param>
public sealed record SearchResult(IReadOnlyList<uint> Uids, ulong HighestModSeq);
