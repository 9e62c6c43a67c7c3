namespace MailHost.Storage;

/// <summary>
/// Optional: an account whose store keeps quota (RFC 9208). Sessions advertise QUOTA only when the account
/// implements this. Storage counts every message in every mailbox, copies included.
/// </summary>
public interface IMailAccountQuota
{
    /// <summary>Current usage and limits.</summary>
    ValueTask<QuotaUsage> GetQuotaAsync(CancellationToken cancellationToken);
}
