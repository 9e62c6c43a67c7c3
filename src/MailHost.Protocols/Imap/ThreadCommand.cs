namespace MailHost.Protocols.Imap;

/// <summary><c>[UID] THREAD algorithm charset keys</c> (RFC 5256 §3).</summary>
public sealed record ThreadCommand(string Tag, bool IsUid, ImapThreadAlgorithm Algorithm, string Charset, ImapSearchKey Search) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "THREAD";
}
