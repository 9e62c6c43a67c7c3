namespace MailHost.Server.Administration.Operations;

// The answers of QuarantineOperations, shared by the command line and the API (which shows them as JSON).

/// <summary>How a quarantine operation ended.</summary>
internal enum QuarantineStatus
{
    /// <summary>Done.</summary>
    Done,

    /// <summary><c>MailHost:Filtering:QuarantineAccount</c> is not set: there is no quarantine.</summary>
    NotConfigured,

    /// <summary>No message of the quarantine has the UID.</summary>
    UnknownMessage,

    /// <summary>None of the message's original recipients is a local account (or it names none): nothing to deliver.</summary>
    NoLocalRecipient,

    /// <summary>Someone else is releasing or deleting the message at the same time.</summary>
    Conflict,

    /// <summary>The store failed, or refused a recipient's copy (over quota): the message stays in the quarantine.</summary>
    StoreFailed,
}

/// <summary>A quarantined message as an operator judges it.</summary>
/// <param name="Uid">Its UID in the quarantine mailbox: what release and delete take.</param>
/// <param name="InternalDate">When it was quarantined (IMAP INTERNALDATE).</param>
/// <param name="Size">Its size in octets, as stored.</param>
/// <param name="Sender">The original reverse-path (<c>&lt;&gt;</c> for the null one), or <see langword="null"/>.</param>
/// <param name="Recipients">The original recipients.</param>
/// <param name="Subject">The decoded Subject, or <see langword="null"/>.</param>
/// <param name="Reason">The filters' reasons, or <see langword="null"/> when the message was not put there by the server.</param>
/// <param name="Transaction">The SMTP transaction id, as the server's log names it.</param>
internal sealed record QuarantineEntry(
    uint Uid, DateTimeOffset InternalDate, long Size, string? Sender, IReadOnlyList<string> Recipients, string? Subject, string? Reason, string? Transaction);

/// <summary>The newest quarantined messages first, or why there are none to show.</summary>
internal sealed record QuarantineListing(QuarantineStatus Status, IReadOnlyList<QuarantineEntry> Messages, string Message);

/// <summary>An original recipient a release did not deliver to, and why.</summary>
internal sealed record QuarantineRecipient(string Address, string Reason);

/// <summary>
/// The outcome of a release or a delete: <see cref="Message"/> says it for people; a release also names the accounts
/// that got the message and the recipients that did not.
/// </summary>
internal sealed record QuarantineChange(QuarantineStatus Status, string Message, IReadOnlyList<string> DeliveredTo, IReadOnlyList<QuarantineRecipient> NotDelivered)
{
    public bool Succeeded => Status == QuarantineStatus.Done;

    public static QuarantineChange Refused(QuarantineStatus status, string message, IReadOnlyList<QuarantineRecipient>? notDelivered = null)
        => new(status, message, [], notDelivered ?? []);
}
