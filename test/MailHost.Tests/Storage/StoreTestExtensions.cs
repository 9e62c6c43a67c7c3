using MailHost.Storage;

namespace MailHost.Tests.Storage;

internal static class StoreTestExtensions
{
    public static async Task<QuotaUsage> GetQuotaAsync(this IMailAccount account)
    {
        account.Should().BeAssignableTo<IMailAccountQuota>();
        return await ((IMailAccountQuota)account).GetQuotaAsync(default);
    }
}
