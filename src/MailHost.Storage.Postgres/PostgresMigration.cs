namespace MailHost.Storage.Postgres;

/// <summary>One forward-only schema step of a component (<c>mail</c>, <c>directory</c>, ...): version n+1 follows version n.</summary>
/// <param name="Version">The schema version the step leads to, from 1.</param>
/// <param name="Sql">The statements, run in one transaction with the version bump.</param>
internal sealed record PostgresMigration(int Version, string Sql);
