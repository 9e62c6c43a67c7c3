namespace MailHost.Storage;

/// <summary>What a store check found and repaired.</summary>
/// <param name="SchemaVersion">The schema version after opening.</param>
/// <param name="OrphanedBlobsRemoved">Content files that no message referenced (left by an interrupted write), removed.</param>
/// <param name="TemporaryFilesRemoved">Spool files of writes that never committed, removed.</param>
/// <param name="MissingBlobs">Content rows whose file is missing (cannot be repaired; logged).</param>
/// <param name="CountersRepaired">Account or reference counters that disagreed with the rows and were recomputed.</param>
public sealed record StoreCheckReport(int SchemaVersion, int OrphanedBlobsRemoved, int TemporaryFilesRemoved, int MissingBlobs, int CountersRepaired);
