namespace MailHost.Protocols.Imap;

/// <summary><c>[UID] COPY set mailbox</c> (RFC 9051 §6.4.7).</summary>
public sealed record CopyCommand(string Tag, bool IsUid, ImapSequenceSet Set, string Mailbox) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "COPY";
}
