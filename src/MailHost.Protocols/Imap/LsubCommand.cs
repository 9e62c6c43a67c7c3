namespace MailHost.Protocols.Imap;

/// <summary><c>LSUB reference pattern</c> (IMAP4rev1, RFC 3501 §6.3.9).</summary>
public sealed record LsubCommand(string Tag, string Reference, string Pattern) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "LSUB";
}
