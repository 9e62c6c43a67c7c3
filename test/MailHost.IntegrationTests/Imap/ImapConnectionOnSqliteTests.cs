using MailHost.IntegrationTests.Infrastructure;

namespace MailHost.IntegrationTests.Imap;

/// <summary><see cref="ImapConnectionTests"/> on the SQLite store.</summary>
public sealed class ImapConnectionOnSqliteTests() : ImapConnectionTests(TestStoreKind.Sqlite);
