using Xunit.Abstractions;
using Xunit.Sdk;

namespace MailHost.TestSupport;

/// <summary>Discovers <see cref="StoreFactAttribute"/> tests: one skipped case, with the reason, when the class's server is missing.</summary>
public sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute) =>
        StoreTestSkip.ReasonFor(testMethod) is { } reason
            ? [new SkippedTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason)]
            : base.Discover(discoveryOptions, testMethod, factAttribute);
}

/// <summary>Discovers <see cref="StoreTheoryAttribute"/> tests the same way.</summary>
public sealed class StoreTheoryDiscoverer(IMessageSink diagnosticMessageSink) : TheoryDiscoverer(diagnosticMessageSink)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo theoryAttribute) =>
        StoreTestSkip.ReasonFor(testMethod) is { } reason
            ? [new SkippedTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason)]
            : base.Discover(discoveryOptions, testMethod, theoryAttribute);
}

/// <summary>A test case reported as skipped with a reason decided at discovery.</summary>
public sealed class SkippedTestCase : XunitTestCase
{
    private string _reason = string.Empty;

    [Obsolete("Called by the de-serializer only.", error: true)]
    public SkippedTestCase()
    {
    }

    public SkippedTestCase(IMessageSink sink, TestMethodDisplay display, TestMethodDisplayOptions displayOptions, ITestMethod testMethod, string reason)
        : base(sink, display, displayOptions, testMethod) => _reason = reason;

    public override void Serialize(IXunitSerializationInfo data)
    {
        base.Serialize(data);
        data.AddValue("SkipReason", _reason);
    }

    public override void Deserialize(IXunitSerializationInfo data)
    {
        _reason = data.GetValue<string>("SkipReason");
        base.Deserialize(data);
    }

    protected override string GetSkipReason(IAttributeInfo factAttribute) => _reason;
}

internal static class StoreTestSkip
{
    public static string? ReasonFor(ITestMethod testMethod)
    {
        var type = testMethod.TestClass.Class.ToRuntimeType();
        if (typeof(IRequiresPostgres).IsAssignableFrom(type) && PostgresTestServer.SkipReason is { } reason)
        {
            return reason;
        }

        // CI installs every program these tests name: there a missing one must fail the test, not hide it.
        if (PostgresTestServer.Required)
        {
            return null;
        }

        return type.GetCustomAttributes(typeof(RequiresProgramAttribute), inherit: true)
            .Cast<RequiresProgramAttribute>()
            .Select(program => program.SkipReason)
            .FirstOrDefault(skip => skip is not null);
    }
}
