using MailHost.Storage;

namespace MailHost.IntegrationTests.Faults;

/// <summary>
/// A store that throws from <see cref="OpenAccountAsync"/> while <see cref="FailOpens"/> is above zero (as a database
/// that cannot be reached does), and otherwise passes everything to the store it wraps.
/// </summary>
public sealed class FaultThrowingStore(IMailStore inner) : IMailStore
{
    private int _failOpens;

    /// <summary>How many of the next account openings throw.</summary>
    public int FailOpens
    {
        get => Volatile.Read(ref _failOpens);
        set => Volatile.Write(ref _failOpens, value);
    }

    public MailStoreLimits Limits => inner.Limits;

    public ValueTask<StoreResult<IMailAccount>> OpenAccountAsync(string accountName, CancellationToken cancellationToken)
        => TakeFailure() ? throw new TimeoutException("The store did not answer in time.") : inner.OpenAccountAsync(accountName, cancellationToken);

    public ValueTask<StoreResult> DeleteAccountAsync(string accountName, CancellationToken cancellationToken)
        => inner.DeleteAccountAsync(accountName, cancellationToken);

    public ValueTask<StoreResult> SetQuotaLimitsAsync(string accountName, QuotaLimits? limits, CancellationToken cancellationToken)
        => inner.SetQuotaLimitsAsync(accountName, limits, cancellationToken);

    public ValueTask<StoreResult<DeliveryResult>> DeliverAsync(Stream content, IReadOnlyList<DeliveryTarget> targets, CancellationToken cancellationToken)
        => inner.DeliverAsync(content, targets, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private bool TakeFailure()
    {
        int left;
        do
        {
            left = Volatile.Read(ref _failOpens);
            if (left <= 0)
            {
                return false;
            }
        }
        while (Interlocked.CompareExchange(ref _failOpens, left - 1, left) != left);
        return true;
    }
}
