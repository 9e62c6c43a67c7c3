namespace MailHost.Protocols.Imap;

/// <summary><c>LOGOUT</c> (RFC 9051 §6.1.3).</summary>
public sealed record LogoutCommand(string Tag) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "LOGOUT";
}
