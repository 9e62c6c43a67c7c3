namespace MailHost.Protocols.Imap;

/// <summary><c>GETQUOTAROOT mailbox</c> (RFC 9208 §4.3).</summary>
public sealed record GetQuotaRootCommand(string Tag, string Mailbox) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "GETQUOTAROOT";
}
