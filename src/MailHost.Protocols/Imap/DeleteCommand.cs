namespace MailHost.Protocols.Imap;

/// <summary><c>DELETE mailbox</c> (RFC 9051 §6.3.5).</summary>
public sealed record DeleteCommand(string Tag, string Mailbox) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "DELETE";
}
