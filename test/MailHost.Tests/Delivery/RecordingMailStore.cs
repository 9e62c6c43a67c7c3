using MailHost.Accounts;
using MailHost.Storage;

namespace MailHost.Tests.Delivery;

/// <summary>Records what is delivered locally (the notifications to local senders); refuses everything else.</summary>
public sealed class RecordingMailStore : IMailStore, IAccountDirectory
{
    public List<(string Account, string Content)> Delivered { get; } = [];

    public Dictionary<string, string> Accounts { get; } = new(StringComparer.Ordinal) { ["alice@local.test"] = "alice" };

    public MailStoreLimits Limits { get; } = new();

    public async ValueTask<StoreResult<DeliveryResult>> DeliverAsync(Stream content, IReadOnlyList<DeliveryTarget> targets, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(content);
        var text = await reader.ReadToEndAsync(cancellationToken);
        foreach (var target in targets)
        {
            Delivered.Add((target.AccountName, text));
        }

        return new DeliveryResult([.. targets.Select(t => new DeliveryTargetResult(t, null, null))], text.Length);
    }

    public ValueTask<StoreResult<IMailAccount>> OpenAccountAsync(string accountName, CancellationToken cancellationToken)
        => ValueTask.FromResult(StoreResult<IMailAccount>.Fail(StoreErrorCode.NotAllowed, "recording store"));

    public ValueTask<StoreResult> DeleteAccountAsync(string accountName, CancellationToken cancellationToken)
        => ValueTask.FromResult(StoreResult.Fail(StoreErrorCode.NotAllowed, "recording store"));

    public ValueTask<StoreResult> SetQuotaLimitsAsync(string accountName, QuotaLimits? limits, CancellationToken cancellationToken)
        => ValueTask.FromResult(StoreResult.Fail(StoreErrorCode.NotAllowed, "recording store"));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public ValueTask<AccountInfo?> FindByNameAsync(string accountName, CancellationToken cancellationToken)
        => ValueTask.FromResult(Accounts.ContainsValue(accountName)
            ? new AccountInfo(accountName, [.. Accounts.Where(a => a.Value == accountName).Select(a => a.Key).Order(StringComparer.Ordinal)], [])
            : null);

    public ValueTask<AccountInfo?> FindByAddressAsync(string address, CancellationToken cancellationToken)
        => ValueTask.FromResult(Accounts.TryGetValue(address, out var name) ? new AccountInfo(name, [address], []) : null);

    public ValueTask<PasswordRecord?> GetPasswordRecordAsync(string accountName, CancellationToken cancellationToken) => ValueTask.FromResult<PasswordRecord?>(null);

    public ValueTask<bool> IsLocalDomainAsync(string domain, CancellationToken cancellationToken) => ValueTask.FromResult(domain == "local.test");

    public ValueTask RecordLoginAsync(LoginRecord record, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
