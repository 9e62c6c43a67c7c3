namespace MailHost.Protocols.Imap;

/// <summary>One SETQUOTA resource limit (RFC 9208 §4.1.3): the resource name upper-cased (<c>STORAGE</c>, <c>MESSAGE</c>, ...).</summary>
public readonly record struct ImapQuotaLimit(string Resource, ulong Limit);
