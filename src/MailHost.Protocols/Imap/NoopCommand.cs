namespace MailHost.Protocols.Imap;

/// <summary><c>NOOP</c> (RFC 9051 §6.1.2).</summary>
public sealed record NoopCommand(string Tag) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "NOOP";
}
