namespace MailHost.Storage;

/// <summary>
/// An account's quota usage and limits (RFC 9208 STORAGE in octets and MESSAGE count). A
/// <see langword="null"/> limit means unlimited.
/// </summary>
/// <param name="StorageUsed">Sum of the sizes of every message in every mailbox of the account, in octets.</param>
/// <param name="StorageLimit">The storage limit in octets, or <see langword="null"/>.</param>
/// <param name="MessagesUsed">Number of messages in the account.</param>
/// <param name="MessageLimit">The message-count limit, or <see langword="null"/>.</param>
public sealed record QuotaUsage(long StorageUsed, long? StorageLimit, long MessagesUsed, long? MessageLimit);
