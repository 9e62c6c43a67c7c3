namespace MailHost.Storage;

/// <summary>A message's flags after a STORE, for the untagged FETCH the session sends.</summary>
/// <param name="Uid">The UID.</param>
/// <param name="Flags">System flags now.</param>
/// <param name="Keywords">Keywords now.</param>
/// <param name="ModSeq">MODSEQ now.</param>
/// <param name="Changed">Whether this STORE changed anything (only then did MODSEQ rise).</param>
public sealed record MessageFlagState(uint Uid, MessageFlags Flags, IReadOnlyList<string> Keywords, ulong ModSeq, bool Changed);
