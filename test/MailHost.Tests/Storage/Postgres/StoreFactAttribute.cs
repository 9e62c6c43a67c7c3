using Xunit.Sdk;

namespace MailHost.Tests.Storage.Postgres;

/// <summary>A fact of a suite that runs against several stores; skipped in a class that needs a server which is not there.</summary>
[XunitTestCaseDiscoverer("MailHost.Tests.Storage.Postgres.StoreFactDiscoverer", "MailHost.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreFactAttribute : FactAttribute;

/// <summary>A theory of a suite that runs against several stores; skipped like <see cref="StoreFactAttribute"/>.</summary>
[XunitTestCaseDiscoverer("MailHost.Tests.Storage.Postgres.StoreTheoryDiscoverer", "MailHost.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreTheoryAttribute : TheoryAttribute;
