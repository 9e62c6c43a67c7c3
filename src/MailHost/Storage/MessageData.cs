using MailHost.Storage.Mime;

namespace MailHost.Storage;

/// <summary>One message as FETCH sees it.</summary>
/// <param name="Uid">The UID.</param>
/// <param name="Flags">System flags.</param>
/// <param name="Keywords">Keywords, in the mailbox's spelling.</param>
/// <param name="ModSeq">MODSEQ of the last change (RFC 7162).</param>
/// <param name="InternalDate">INTERNALDATE.</param>
/// <param name="SaveDate">SAVEDATE (RFC 8514): when the message was saved into this mailbox.</param>
/// <param name="Size">RFC822.SIZE.</param>
/// <param name="EmailId">EMAILID (RFC 8474); the same for copies and moves of one message.</param>
/// <param name="ThreadId">THREADID (RFC 8474).</param>
/// <param name="Index">The MIME index when <see cref="FetchOptions.IncludeIndex"/> was asked for; otherwise <see langword="null"/>.</param>
/// <param name="Content">The stored bytes, opened on demand.</param>
public sealed record MessageData(
    uint Uid,
    MessageFlags Flags,
    IReadOnlyList<string> Keywords,
    ulong ModSeq,
    DateTimeOffset InternalDate,
    DateTimeOffset SaveDate,
    long Size,
    string EmailId,
    string ThreadId,
    MessageIndex? Index,
    MessageContent Content);
