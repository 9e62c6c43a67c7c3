namespace MailHost.Protocols.Smtp;

/// <summary><c>DATA</c> (RFC 5321 §4.1.1.4). The message follows the 354 reply; read it with <see cref="Text.DotUnstuffer"/>.</summary>
public sealed record DataCommand : SmtpCommand
{
    /// <summary>The one instance; the command has no arguments.</summary>
    public static SmtpCommand Instance { get; } = new DataCommand();

    /// <inheritdoc/>
    public override SmtpCommandKind Kind => SmtpCommandKind.Data;
}
