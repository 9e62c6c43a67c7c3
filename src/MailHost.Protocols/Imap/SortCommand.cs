namespace MailHost.Protocols.Imap;

/// <summary><c>[UID] SORT [RETURN (...)] (criteria) charset keys</c> (RFC 5256 §3, ESORT RFC 5267).</summary>
public sealed record SortCommand(string Tag, bool IsUid, IReadOnlyList<ImapSortCriterion> Criteria, string Charset, bool HasReturn, ImapSearchReturnOptions Return, ImapSearchKey Search) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "SORT";
}
