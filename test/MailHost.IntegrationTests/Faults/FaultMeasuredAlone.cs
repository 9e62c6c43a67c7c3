namespace MailHost.IntegrationTests.Faults;

/// <summary>
/// Fault tests that measure the whole test process (memory) or load it on purpose: xunit runs this collection after
/// the others, alone, so neither disturbs the other.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultMeasuredAlone
{
    public const string Name = "Faults measured alone";
}
