namespace MailHost.Protocols.Smtp;

/// <summary><c>STARTTLS</c> (RFC 3207 §4). Bytes already buffered after this line are injected plain text and must be discarded.</summary>
public sealed record StartTlsCommand : SmtpCommand
{
    /// <summary>The one instance; the command has no arguments.</summary>
    public static SmtpCommand Instance { get; } = new StartTlsCommand();

    /// <inheritdoc/>
    public override SmtpCommandKind Kind => SmtpCommandKind.StartTls;
}
