namespace MailHost.IntegrationTests.Imap;

/// <summary><see cref="ImapConcurrentExpungeTests"/> on the in-memory store.</summary>
public sealed class ImapConcurrentExpungeOnInMemoryTests() : ImapConcurrentExpungeTests(sqlite: false);
