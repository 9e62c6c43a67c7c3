namespace MailHost.Protocols.Smtp;

/// <summary><c>RSET</c> (RFC 5321 §4.1.1.5).</summary>
public sealed record RsetCommand : SmtpCommand
{
    /// <summary>The one instance; the command has no arguments.</summary>
    public static SmtpCommand Instance { get; } = new RsetCommand();

    /// <inheritdoc/>
    public override SmtpCommandKind Kind => SmtpCommandKind.Rset;
}
