namespace MailHost.Protocols.Imap;

/// <summary><c>COMPRESS mechanism</c> (RFC 4978). The mechanism upper-cased (<c>DEFLATE</c>).</summary>
public sealed record CompressCommand(string Tag, string Mechanism) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "COMPRESS";
}
