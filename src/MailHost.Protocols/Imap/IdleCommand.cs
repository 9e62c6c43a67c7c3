namespace MailHost.Protocols.Imap;

/// <summary><c>IDLE</c> (RFC 2177). The session then reads <c>DONE</c> with <see cref="ImapCommandParser.TryParseIdleDone"/>.</summary>
public sealed record IdleCommand(string Tag) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "IDLE";
}
