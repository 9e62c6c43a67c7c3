namespace MailHost.IntegrationTests.Infrastructure;

/// <summary>The stores a protocol suite runs on.</summary>
public enum TestStoreKind
{
    InMemory,
    Sqlite,
    Postgres,
}
