namespace MailHost.Protocols.Imap;

/// <summary><c>RENAME existing new</c> (RFC 9051 §6.3.6).</summary>
public sealed record RenameCommand(string Tag, string Mailbox, string NewMailbox) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "RENAME";
}
