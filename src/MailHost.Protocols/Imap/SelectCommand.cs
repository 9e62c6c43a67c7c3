namespace MailHost.Protocols.Imap;

/// <summary><c>SELECT mailbox [(CONDSTORE | QRESYNC (...))]</c> (RFC 9051 §6.3.2, RFC 7162 §3.1.8/§3.2.5).</summary>
public sealed record SelectCommand(string Tag, string Mailbox, bool Condstore = false, ImapQresyncParameters? Qresync = null) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "SELECT";
}
