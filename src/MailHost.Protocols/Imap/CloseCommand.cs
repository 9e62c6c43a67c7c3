namespace MailHost.Protocols.Imap;

/// <summary><c>CLOSE</c> (RFC 9051 §6.4.1).</summary>
public sealed record CloseCommand(string Tag) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "CLOSE";
}
