namespace MailHost.Protocols.Imap;

/// <summary><c>NAMESPACE</c> (RFC 9051 §6.3.10, RFC 2342).</summary>
public sealed record NamespaceCommand(string Tag) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "NAMESPACE";
}
