namespace MailHost.Protocols.Imap;

/// <summary>One SORT criterion: a key, optionally preceded by <c>REVERSE</c> (RFC 5256 §3).</summary>
public readonly record struct ImapSortCriterion(ImapSortKey Key, bool Reverse);
