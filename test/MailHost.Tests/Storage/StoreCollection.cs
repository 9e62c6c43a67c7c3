namespace MailHost.Tests.Storage;

/// <summary>Store suites run alone: the 100 MB test measures process-wide allocations.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StoreCollection
{
    public const string Name = "Stores";
}
