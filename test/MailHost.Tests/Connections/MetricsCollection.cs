namespace MailHost.Tests.Connections;

/// <summary>
/// Metrics suites run alone: the meter is process-wide, so a session of another suite running meanwhile would move the
/// counters these tests count exactly.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "Metrics";
}
