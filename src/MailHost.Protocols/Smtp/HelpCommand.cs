namespace MailHost.Protocols.Smtp;

/// <summary><c>HELP [SP String]</c> (RFC 5321 §4.1.1.8).</summary>
public sealed record HelpCommand(string? Topic) : SmtpCommand
{
    /// <inheritdoc/>
    public override SmtpCommandKind Kind => SmtpCommandKind.Help;
}
