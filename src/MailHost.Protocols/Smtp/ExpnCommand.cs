namespace MailHost.Protocols.Smtp;

/// <summary><c>EXPN SP String</c> (RFC 5321 §4.1.1.7). The argument is client text: never echo it.</summary>
public sealed record ExpnCommand(string Argument) : SmtpCommand
{
    /// <inheritdoc/>
    public override SmtpCommandKind Kind => SmtpCommandKind.Expn;
}
