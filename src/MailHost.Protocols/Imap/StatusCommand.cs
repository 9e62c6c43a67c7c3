namespace MailHost.Protocols.Imap;

/// <summary><c>STATUS mailbox (items)</c> (RFC 9051 §6.3.11).</summary>
public sealed record StatusCommand(string Tag, string Mailbox, ImapStatusItems Items) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "STATUS";
}
