namespace MailHost.Storage;

/// <summary>One recipient mailbox of a delivery.</summary>
/// <param name="AccountName">The canonical account name.</param>
/// <param name="Mailbox">The mailbox; INBOX unless a filter chose another.</param>
/// <param name="Options">Flags, keywords and INTERNALDATE for this copy; <see langword="null"/> for none and now.</param>
public sealed record DeliveryTarget(string AccountName, string Mailbox = MailboxName.Inbox, AppendOptions? Options = null);
