using MailHost.Accounts;
using MailHost.Storage;

namespace MailHost.Server.Administration.Operations;

/// <summary>The outcome of a quota change: done, no such account, refused limits, or the store failed.</summary>
internal sealed record QuotaChange(bool Succeeded, bool UnknownAccount, bool StoreFailed, string Message);

/// <summary>
/// An account's quota (RFC 9208 STORAGE in octets and MESSAGE count): its usage and limits as IMAP GETQUOTAROOT reports
/// them, and the account's own limits, set or returned to the store's defaults (<c>MailHost:Storage</c>), audited.
/// </summary>
internal sealed class QuotaOperations(IAccountAdministration accounts, IMailStore store, AdminAudit audit)
{
    /// <summary>The usage and limits, or null when there is no such account or the store keeps no quota.</summary>
    public async Task<QuotaUsage?> GetAsync(string accountName, CancellationToken cancellationToken)
    {
        if (await accounts.GetAccountAsync(accountName, 0, cancellationToken).ConfigureAwait(false) is not { } details)
        {
            return null;
        }

        var opened = await store.OpenAccountAsync(details.Account.Name, cancellationToken).ConfigureAwait(false);
        if (!opened.IsSuccess)
        {
            return null;
        }

        await using var account = opened.Value;
        return account is IMailAccountQuota quota ? await quota.GetQuotaAsync(cancellationToken).ConfigureAwait(false) : null;
    }

    /// <summary>Sets the account's own limits (null in a limit: unlimited), or with <paramref name="limits"/> null returns it to the defaults.</summary>
    public async Task<QuotaChange> SetAsync(AdminActor actor, string accountName, QuotaLimits? limits, CancellationToken cancellationToken)
    {
        if (limits is { StorageLimit: < 0 } or { MessageLimit: < 0 })
        {
            return new QuotaChange(false, false, false, "A quota limit is a number of octets or messages, 0 or more.");
        }

        if (await accounts.GetAccountAsync(accountName, 0, cancellationToken).ConfigureAwait(false) is not { } details)
        {
            return new QuotaChange(false, true, false, $"There is no account '{accountName}'.");
        }

        var name = details.Account.Name;
        var result = await store.SetQuotaLimitsAsync(name, limits, cancellationToken).ConfigureAwait(false);
        if (!result.IsSuccess)
        {
            return new QuotaChange(false, false, true, $"The mail store did not take the quota: {result.Error!.Message}");
        }

        var text = limits is null ? "the store's defaults" : $"storage {Limit(limits.StorageLimit)}, messages {Limit(limits.MessageLimit)}";
        await audit.RecordAsync(actor, AuditActions.AccountQuota, name, text, cancellationToken).ConfigureAwait(false);
        return new QuotaChange(true, false, false, $"The quota of {name} is now {text}.");
    }

    private static string Limit(long? limit) => limit?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unlimited";
}
