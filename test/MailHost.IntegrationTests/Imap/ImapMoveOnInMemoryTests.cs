namespace MailHost.IntegrationTests.Imap;

/// <summary><see cref="ImapMoveTests"/> on the in-memory store.</summary>
public sealed class ImapMoveOnInMemoryTests() : ImapMoveTests(sqlite: false);
