namespace MailHost.Protocols.Imap;

/// <summary><c>APPEND</c> (RFC 9051 §6.3.12, MULTIAPPEND RFC 3502), returned complete after every message literal has been streamed by the session.</summary>
public sealed record AppendCommand(string Tag, string Mailbox, IReadOnlyList<ImapAppendMessage> Messages) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "APPEND";
}
