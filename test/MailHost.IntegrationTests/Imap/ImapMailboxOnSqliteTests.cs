using MailHost.IntegrationTests.Infrastructure;

namespace MailHost.IntegrationTests.Imap;

/// <summary><see cref="ImapMailboxTests"/> on the SQLite store.</summary>
public sealed class ImapMailboxOnSqliteTests() : ImapMailboxTests(TestStoreKind.Sqlite);
