namespace MailHost.Protocols.Imap;

/// <summary><c>[UID] STORE set [(UNCHANGEDSINCE n)] [+|-]FLAGS[.SILENT] flags</c> (RFC 9051 §6.4.6, RFC 7162 §3.1.3).</summary>
/// <remarks>
/// <para><c>Flags</c>: The flags; system flags in canonical case (<c>\Seen</c>), keywords as sent.</para>
/// </remarks>
public sealed record StoreCommand(string Tag, bool IsUid, ImapSequenceSet Set, ImapStoreMode Mode, bool Silent, IReadOnlyList<string> Flags, ulong? UnchangedSince = null) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "STORE";
}
