namespace MailHost.IntegrationTests.Imap;

/// <summary><see cref="ImapMoveTests"/> on the SQLite store.</summary>
public sealed class ImapMoveOnSqliteTests() : ImapMoveTests(sqlite: true);
