namespace MailHost.Protocols.Imap;

/// <summary><c>UNSELECT</c> (RFC 9051 §6.4.2, RFC 3691).</summary>
public sealed record UnselectCommand(string Tag) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "UNSELECT";
}
