namespace MailHost.Protocols.Smtp;

/// <summary><c>QUIT</c> (RFC 5321 §4.1.1.10).</summary>
public sealed record QuitCommand : SmtpCommand
{
    /// <summary>The one instance; the command has no arguments.</summary>
    public static SmtpCommand Instance { get; } = new QuitCommand();

    /// <inheritdoc/>
    public override SmtpCommandKind Kind => SmtpCommandKind.Quit;
}
