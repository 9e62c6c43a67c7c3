namespace MailHost.Protocols.Imap;

/// <summary>
/// The QRESYNC SELECT/EXAMINE parameter (RFC 7162 §3.2.5):
/// <c>(uidvalidity modseq [known-uids] [(known-sequence-set known-uid-set)])</c>.
/// </summary>
public sealed record ImapQresyncParameters(
    uint UidValidity,
    ulong ModSeq,
    ImapSequenceSet? KnownUids,
    ImapSequenceSet? KnownSequenceSet,
    ImapSequenceSet? KnownUidSet);
