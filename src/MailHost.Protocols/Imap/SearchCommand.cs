namespace MailHost.Protocols.Imap;

/// <summary><c>[UID] SEARCH [RETURN (...)] [CHARSET c] keys</c> (RFC 9051 §6.4.4, ESEARCH RFC 4731, SEARCHRES RFC 5182).</summary>
/// <remarks>
/// <para><c>Charset</c>: The CHARSET argument upper-cased, or null. The parser decodes strings as UTF-8; the session answers NO [BADCHARSET] for charsets other than UTF-8 and US-ASCII.</para>
/// <para><c>HasReturn</c>: True when a RETURN clause was given (the reply is then ESEARCH); <c>RETURN ()</c> gives <see cref="ImapSearchReturnOptions.All"/>.</para>
/// <para><c>Criteria</c>: The keys; several top-level keys form an <see cref="ImapSearchKeyKind.And"/> node.</para>
/// </remarks>
public sealed record SearchCommand(string Tag, bool IsUid, string? Charset, bool HasReturn, ImapSearchReturnOptions Return, ImapSearchKey Criteria) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "SEARCH";
}
