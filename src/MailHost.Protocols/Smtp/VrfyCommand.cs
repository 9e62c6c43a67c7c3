namespace MailHost.Protocols.Smtp;

/// <summary><c>VRFY SP String</c> (RFC 5321 §4.1.1.6). The argument is client text: never echo it.</summary>
public sealed record VrfyCommand(string Argument) : SmtpCommand
{
    /// <inheritdoc/>
    public override SmtpCommandKind Kind => SmtpCommandKind.Vrfy;
}
