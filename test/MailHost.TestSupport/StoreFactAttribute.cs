using Xunit;
using Xunit.Sdk;

namespace MailHost.TestSupport;

/// <summary>A fact of a suite that runs against several stores; skipped in a class that needs a server which is not there.</summary>
[XunitTestCaseDiscoverer("MailHost.TestSupport.StoreFactDiscoverer", "MailHost.TestSupport")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreFactAttribute : FactAttribute;

/// <summary>A theory of a suite that runs against several stores; skipped like <see cref="StoreFactAttribute"/>.</summary>
[XunitTestCaseDiscoverer("MailHost.TestSupport.StoreTheoryDiscoverer", "MailHost.TestSupport")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreTheoryAttribute : TheoryAttribute;
