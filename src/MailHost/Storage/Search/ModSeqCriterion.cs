namespace MailHost.Storage.Search;

/// <summary><c>MODSEQ n</c> (RFC 7162 §3.1.5): messages whose MODSEQ is at least <paramref name="ModSeq"/>.</summary>
/// <param name="ModSeq">The lowest MODSEQ that matches.</param>
public sealed record ModSeqCriterion(ulong ModSeq) : SearchCriteria;
