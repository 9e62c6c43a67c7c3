namespace MailHost.IntegrationTests.Imap;

/// <summary><see cref="ImapConcurrentExpungeTests"/> on the SQLite store.</summary>
public sealed class ImapConcurrentExpungeOnSqliteTests() : ImapConcurrentExpungeTests(sqlite: true);
