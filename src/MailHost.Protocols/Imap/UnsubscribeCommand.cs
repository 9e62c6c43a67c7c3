namespace MailHost.Protocols.Imap;

/// <summary><c>UNSUBSCRIBE mailbox</c> (RFC 9051 §6.3.8).</summary>
public sealed record UnsubscribeCommand(string Tag, string Mailbox) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "UNSUBSCRIBE";
}
