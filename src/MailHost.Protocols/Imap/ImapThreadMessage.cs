namespace MailHost.Protocols.Imap;

/// <summary>One searched message as the THREAD algorithms of RFC 5256 see it.</summary>
/// <param name="Number">
/// The number the response reports: the sequence number, or the UID for <c>UID THREAD</c>. Both rise with the
/// mailbox order, so the algorithms use it for "lowest sequence number" and for ties (RFC 5256 §2.2, §3).
/// </param>
/// <param name="MessageId">The normalized Message ID (<see cref="Mail.MessageIdParser"/>), or <see langword="null"/> when the Message-ID header is missing or holds no valid id.</param>
/// <param name="References">The normalized Message IDs of the References header, in header order; empty when it is missing or holds no valid id.</param>
/// <param name="InReplyTo">The first valid Message ID of the In-Reply-To header, normalized, or <see langword="null"/>.</param>
/// <param name="BaseSubject">
/// The base subject (RFC 5256 §2.1) as its <c>i;unicode-casemap</c> key (RFC 5051): the algorithms compare it
/// ordinally, which is then the case-insensitive comparison the RFC asks for.
/// </param>
/// <param name="IsReplyOrForward">
/// Whether base-subject extraction removed a reply or forward marker from the original subject: a <c>subj-refwd</c>,
/// a <c>(fwd)</c> trailer, or a <c>[fwd: ...]</c> wrapper (RFC 5256 §2.2).
/// </param>
/// <param name="SentDate">The sent date (RFC 5256 §2.2): the Date header, or INTERNALDATE when it is missing or invalid.</param>
public sealed record ImapThreadMessage(
    uint Number,
    string? MessageId,
    IReadOnlyList<string> References,
    string? InReplyTo,
    string BaseSubject,
    bool IsReplyOrForward,
    DateTimeOffset SentDate);
