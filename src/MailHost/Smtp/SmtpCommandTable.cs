using MailHost.Protocols.Smtp;

namespace MailHost.Smtp;

/// <summary>
/// The state gate of the SMTP session: which command is allowed in which state, and the exact reply when it is not.
/// Commands absent from the table (NOOP, RSET, QUIT, HELP, VRFY, EXPN, EHLO, HELO) are allowed everywhere.
/// </summary>
internal static class SmtpCommandTable
{
    private static readonly SmtpReply NeedHello = new(503, "5.5.1", "Send EHLO or HELO first");
    private static readonly SmtpReply NestedMail = new(503, "5.5.1", "Nested MAIL command");
    private static readonly SmtpReply NeedMail = new(503, "5.5.1", "Send MAIL first");
    private static readonly SmtpReply NoRecipients = new(554, "5.5.1", "No valid recipients");
    private static readonly SmtpReply NeedRecipients = new(503, "5.5.1", "Send MAIL and RCPT first");
    private static readonly SmtpReply InChunking = new(503, "5.5.1", "Only BDAT, RSET, NOOP and QUIT are allowed between BDAT chunks");
    private static readonly SmtpReply InTransaction = new(503, "5.5.1", "Not allowed during a mail transaction");

    /// <summary>The refusal for <paramref name="kind"/> in <paramref name="state"/>, or null when the command may run.</summary>
    public static SmtpReply? Refusal(SmtpCommandKind kind, SmtpSessionState state) => (kind, state) switch
    {
        // RFC 5321 §4.1.4: MAIL needs EHLO/HELO and no open transaction.
        (SmtpCommandKind.Mail, SmtpSessionState.Ready) => null,
        (SmtpCommandKind.Mail, SmtpSessionState.Connected) => NeedHello,
        (SmtpCommandKind.Mail, SmtpSessionState.Chunking) => InChunking,
        (SmtpCommandKind.Mail, _) => NestedMail,

        (SmtpCommandKind.Rcpt, SmtpSessionState.Mail or SmtpSessionState.Recipients) => null,
        (SmtpCommandKind.Rcpt, SmtpSessionState.Chunking) => InChunking,
        (SmtpCommandKind.Rcpt, _) => NeedMail,

        // RFC 5321 §3.3: DATA without a valid recipient gets 554 ("no valid recipients").
        (SmtpCommandKind.Data, SmtpSessionState.Recipients) => null,
        (SmtpCommandKind.Data, SmtpSessionState.Mail) => NoRecipients,
        (SmtpCommandKind.Data, SmtpSessionState.Chunking) => InChunking,
        (SmtpCommandKind.Data, _) => NeedRecipients,

        // RFC 3030 §2: BDAT follows RCPT or another BDAT.
        (SmtpCommandKind.Bdat, SmtpSessionState.Recipients or SmtpSessionState.Chunking) => null,
        (SmtpCommandKind.Bdat, SmtpSessionState.Mail) => NoRecipients,
        (SmtpCommandKind.Bdat, _) => NeedRecipients,

        // RFC 3207 §4 and RFC 4954 §4: neither STARTTLS nor AUTH inside a transaction; AUTH only after EHLO.
        (SmtpCommandKind.StartTls, SmtpSessionState.Connected or SmtpSessionState.Ready) => null,
        (SmtpCommandKind.StartTls, _) => InTransaction,
        (SmtpCommandKind.Auth, SmtpSessionState.Ready) => null,
        (SmtpCommandKind.Auth, SmtpSessionState.Connected) => NeedHello,
        (SmtpCommandKind.Auth, _) => InTransaction,

        _ => null,
    };
}
