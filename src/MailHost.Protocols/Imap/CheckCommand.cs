namespace MailHost.Protocols.Imap;

/// <summary><c>CHECK</c> (IMAP4rev1, RFC 3501 §6.4.1).</summary>
public sealed record CheckCommand(string Tag) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "CHECK";
}
