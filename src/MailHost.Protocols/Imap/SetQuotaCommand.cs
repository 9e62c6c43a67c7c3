namespace MailHost.Protocols.Imap;

/// <summary><c>SETQUOTA root (resource limit ...)</c> (RFC 9208 §4.1.3).</summary>
public sealed record SetQuotaCommand(string Tag, string Root, IReadOnlyList<ImapQuotaLimit> Limits) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "SETQUOTA";
}
