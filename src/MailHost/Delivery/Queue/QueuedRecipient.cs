using MailHost.Protocols.Smtp;

namespace MailHost.Delivery.Queue;

/// <summary>One recipient of a queued message and its delivery state.</summary>
/// <param name="Id">The recipient's id, unique within the queue.</param>
/// <param name="Address">The forward-path mailbox (RFC 5321 form, no angle brackets).</param>
/// <param name="Domain">The lower-case domain (or address literal) that routing uses.</param>
/// <param name="Notify"><c>NOTIFY=</c> as received (RFC 3461 §4.1).</param>
/// <param name="OriginalRecipient"><c>ORCPT=</c> as received (RFC 3461 §4.2), or <see langword="null"/>.</param>
/// <param name="State">Where the recipient stands.</param>
/// <param name="Reported">Whether the delivery status notification this state calls for has been made (or none is needed).</param>
/// <param name="Attempts">How many delivery attempts were made.</param>
/// <param name="NextAttempt">When a pending recipient is due.</param>
/// <param name="LastAttempt">When the last attempt ended, or <see langword="null"/> before the first.</param>
/// <param name="LastReply">The last reply or failure text (for DSNs and the admin), or <see langword="null"/>.</param>
/// <param name="RemoteMta">The host that gave <paramref name="LastReply"/>, or <see langword="null"/>.</param>
public sealed record QueuedRecipient(
    long Id,
    string Address,
    string Domain,
    SmtpDsnNotify Notify,
    SmtpOriginalRecipient? OriginalRecipient,
    QueueRecipientState State,
    bool Reported,
    int Attempts,
    DateTimeOffset NextAttempt,
    DateTimeOffset? LastAttempt,
    string? LastReply,
    string? RemoteMta);
