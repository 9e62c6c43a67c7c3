namespace MailHost.Protocols.Smtp;

/// <summary><c>NOOP [SP String]</c> (RFC 5321 §4.1.1.9); the argument is ignored.</summary>
public sealed record NoopCommand : SmtpCommand
{
    /// <summary>The one instance; the command has no arguments.</summary>
    public static SmtpCommand Instance { get; } = new NoopCommand();

    /// <inheritdoc/>
    public override SmtpCommandKind Kind => SmtpCommandKind.Noop;
}
