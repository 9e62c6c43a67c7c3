namespace MailHost.Storage;

/// <summary>Optional: a store that can check and repair itself (stores with files or a schema).</summary>
public interface IMailStoreMaintenance
{
    /// <summary>The report of the check made when the store was opened.</summary>
    StoreCheckReport? LastCheck { get; }

    /// <summary>Checks the store (schema, orphaned and missing content, counters) and repairs what it can, logging what it did.</summary>
    ValueTask<StoreCheckReport> CheckAsync(CancellationToken cancellationToken);
}
