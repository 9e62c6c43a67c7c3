namespace MailHost.Protocols.Imap;

/// <summary><c>SUBSCRIBE mailbox</c> (RFC 9051 §6.3.7).</summary>
public sealed record SubscribeCommand(string Tag, string Mailbox) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "SUBSCRIBE";
}
