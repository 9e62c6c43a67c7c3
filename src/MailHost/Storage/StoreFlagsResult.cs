namespace MailHost.Storage;

/// <summary>The outcome of STORE.</summary>
/// <param name="Messages">Every existing message in the set that passed UNCHANGEDSINCE, ascending by UID.</param>
/// <param name="Modified">Messages left alone because their MODSEQ was above UNCHANGEDSINCE (RFC 7162 <c>[MODIFIED]</c>).</param>
/// <param name="HighestModSeq">The mailbox's HIGHESTMODSEQ afterwards.</param>
public sealed record StoreFlagsResult(IReadOnlyList<MessageFlagState> Messages, IReadOnlyList<uint> Modified, ulong HighestModSeq);
