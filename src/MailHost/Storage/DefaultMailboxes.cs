namespace MailHost.Storage;

/// <summary>The mailboxes every new account gets, all subscribed: INBOX and the RFC 6154 special-use set.</summary>
public static class DefaultMailboxes
{
    /// <summary>Name and special-use attribute of each default mailbox, INBOX first.</summary>
    public static IReadOnlyList<(string Name, MailboxAttributes SpecialUse)> All { get; } =
    [
        (MailboxName.Inbox, MailboxAttributes.None),
        ("Sent", MailboxAttributes.Sent),
        ("Drafts", MailboxAttributes.Drafts),
        ("Trash", MailboxAttributes.Trash),
        ("Junk", MailboxAttributes.Junk),
        ("Archive", MailboxAttributes.Archive),
    ];

    /// <summary>Checks an account name as a store key: non-empty, at most 320 characters, no control characters.</summary>
    public static StoreResult ValidateAccountName(string? accountName)
    {
        if (string.IsNullOrWhiteSpace(accountName) || accountName.Length > 320 || accountName.Any(char.IsControl))
        {
            return StoreResult.Fail(StoreErrorCode.InvalidArgument, "The account name is not valid.");
        }

        return StoreResult.Success;
    }

    /// <summary>
    /// The next UIDVALIDITY: at least the clock in seconds and always above the last one, so a mailbox re-created
    /// under an old name never repeats a value (RFC 9051 §2.3.1.1).
    /// </summary>
    public static uint NextUidValidity(uint last, DateTimeOffset now)
    {
        var clock = (uint)Math.Clamp(now.ToUnixTimeSeconds(), 1, uint.MaxValue - 1);
        return Math.Max(clock, last + 1);
    }
}
