namespace MailHost.Protocols.Imap;

/// <summary><c>[UID] MOVE set mailbox</c> (RFC 9051 §6.4.8, RFC 6851).</summary>
public sealed record MoveCommand(string Tag, bool IsUid, ImapSequenceSet Set, string Mailbox) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "MOVE";
}
