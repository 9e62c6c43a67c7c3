namespace MailHost.Storage.Common;

/// <summary>
/// Quota (RFC 9208) for every store: an account's own limits replace the store's defaults as a whole, and a message
/// is refused when it would take the account past either limit. Stores keep the usage counters.
/// </summary>
public static class QuotaRules
{
    private static readonly StoreError OverQuota = new(StoreErrorCode.OverQuota, "The account is over its quota.");

    /// <summary>The usage and the limits that apply: <paramref name="accountLimits"/> when set, else <paramref name="defaults"/>.</summary>
    public static QuotaUsage Usage(long storageUsed, long messagesUsed, QuotaLimits? accountLimits, QuotaLimits defaults)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        var limits = accountLimits ?? defaults;
        return new QuotaUsage(storageUsed, limits.StorageLimit, messagesUsed, limits.MessageLimit);
    }

    /// <summary><see cref="StoreErrorCode.OverQuota"/> when adding <paramref name="bytes"/> and <paramref name="messages"/> would pass a limit; else <see langword="null"/>.</summary>
    public static StoreError? CheckAdd(QuotaUsage usage, long bytes, long messages)
    {
        ArgumentNullException.ThrowIfNull(usage);
        return (usage.StorageLimit is { } storage && usage.StorageUsed + bytes > storage)
            || (usage.MessageLimit is { } count && usage.MessagesUsed + messages > count)
            ? OverQuota
            : null;
    }
}
