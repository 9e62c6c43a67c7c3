namespace MailHost.Protocols.Imap;

/// <summary><c>[UID] FETCH set items [(CHANGEDSINCE n [VANISHED])]</c> (RFC 9051 §6.4.5, RFC 7162 §3.1.4/§3.2.6).</summary>
/// <remarks>
/// <para><c>Items</c>: The items, macros expanded, in the client's order. UID FETCH does not add UID here; the session always returns it.</para>
/// </remarks>
public sealed record FetchCommand(string Tag, bool IsUid, ImapSequenceSet Set, IReadOnlyList<ImapFetchItem> Items, ulong? ChangedSince = null, bool Vanished = false) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "FETCH";
}
