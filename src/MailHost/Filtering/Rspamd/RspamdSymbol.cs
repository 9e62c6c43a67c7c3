namespace MailHost.Filtering.Rspamd;

/// <summary>One rule that matched in rspamd's reply (<c>symbols</c>), with the score it added.</summary>
internal readonly record struct RspamdSymbol(string Name, double Score);
