namespace MailHost.Protocols.Smtp;

/// <summary>
/// <c>RCPT TO:( "&lt;Postmaster@" Domain "&gt;" / "&lt;Postmaster&gt;" / Forward-path ) [SP Rcpt-parameters]</c>
/// (RFC 5321 §4.1.1.3). For <c>&lt;Postmaster&gt;</c> the mailbox's domain is empty.
/// </summary>
/// <param name="ForwardPath">The recipient; never the null path.</param>
public sealed record RcptCommand(SmtpPath ForwardPath) : SmtpCommand
{
    /// <summary><c>NOTIFY=</c> (RFC 3461 §4.1).</summary>
    public SmtpDsnNotify Notify { get; init; }

    /// <summary><c>ORCPT=</c> (RFC 3461 §4.2); <see langword="null"/> when absent.</summary>
    public SmtpOriginalRecipient? OriginalRecipient { get; init; }

    /// <inheritdoc/>
    public override SmtpCommandKind Kind => SmtpCommandKind.Rcpt;
}
