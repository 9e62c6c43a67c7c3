namespace MailHost.TestSupport;

/// <summary>
/// Marks a test class that needs <see cref="PostgresTestServer"/>: its <see cref="StoreFactAttribute"/> and
/// <see cref="StoreTheoryAttribute"/> tests, inherited ones included, are skipped with the reason when there is none.
/// </summary>
public interface IRequiresPostgres;
