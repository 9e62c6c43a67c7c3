using MailHost.IntegrationTests.Infrastructure;

namespace MailHost.IntegrationTests.Imap;

/// <summary><see cref="ImapMessageTests"/> on the SQLite store.</summary>
public sealed class ImapMessageOnSqliteTests() : ImapMessageTests(TestStoreKind.Sqlite);
