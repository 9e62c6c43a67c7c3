namespace MailHost.Storage;

/// <summary>Quota limits for an account; <see langword="null"/> means unlimited.</summary>
/// <param name="StorageLimit">Maximum octets across all mailboxes.</param>
/// <param name="MessageLimit">Maximum number of messages across all mailboxes.</param>
public sealed record QuotaLimits(long? StorageLimit, long? MessageLimit)
{
    /// <summary>No limit at all.</summary>
    public static QuotaLimits Unlimited { get; } = new(null, null);
}
