namespace MailHost.Protocols.Imap;

/// <summary><c>STARTTLS</c> (RFC 9051 §6.2.1). The session must discard every byte buffered after this line (SECURITY A1) and call <see cref="ImapCommandParser.Reset"/>.</summary>
public sealed record StartTlsCommand(string Tag) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "STARTTLS";
}
