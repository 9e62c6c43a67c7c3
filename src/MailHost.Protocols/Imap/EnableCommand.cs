namespace MailHost.Protocols.Imap;

/// <summary><c>ENABLE capability...</c> (RFC 9051 §6.3.1, RFC 5161). Capability names upper-cased.</summary>
public sealed record EnableCommand(string Tag, IReadOnlyList<string> Capabilities) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "ENABLE";
}
