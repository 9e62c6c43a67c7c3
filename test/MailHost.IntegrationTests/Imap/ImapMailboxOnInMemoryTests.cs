using MailHost.IntegrationTests.Infrastructure;

namespace MailHost.IntegrationTests.Imap;

/// <summary><see cref="ImapMailboxTests"/> on the in-memory store.</summary>
public sealed class ImapMailboxOnInMemoryTests() : ImapMailboxTests(TestStoreKind.InMemory);
