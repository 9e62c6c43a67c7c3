namespace MailHost.Protocols.Imap;

/// <summary><c>GETQUOTA root</c> (RFC 9208 §4.2).</summary>
public sealed record GetQuotaCommand(string Tag, string Root) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "GETQUOTA";
}
