namespace MailHost.Protocols.Imap;

/// <summary><c>CAPABILITY</c> (RFC 9051 §6.1.1).</summary>
public sealed record CapabilityCommand(string Tag) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "CAPABILITY";
}
