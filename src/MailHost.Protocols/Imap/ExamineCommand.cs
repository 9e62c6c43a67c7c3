namespace MailHost.Protocols.Imap;

/// <summary><c>EXAMINE mailbox [(CONDSTORE | QRESYNC (...))]</c> (RFC 9051 §6.3.3).</summary>
public sealed record ExamineCommand(string Tag, string Mailbox, bool Condstore = false, ImapQresyncParameters? Qresync = null) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "EXAMINE";
}
