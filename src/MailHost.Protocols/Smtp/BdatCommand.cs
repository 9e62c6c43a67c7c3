namespace MailHost.Protocols.Smtp;

/// <summary><c>BDAT SP chunk-size [SP LAST]</c> (RFC 3030 §2). Exactly <c>ChunkSize</c> octets follow the command line.</summary>
public sealed record BdatCommand(long ChunkSize, bool IsLast) : SmtpCommand
{
    /// <inheritdoc/>
    public override SmtpCommandKind Kind => SmtpCommandKind.Bdat;
}
