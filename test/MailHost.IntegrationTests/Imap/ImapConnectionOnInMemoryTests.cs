using MailHost.IntegrationTests.Infrastructure;

namespace MailHost.IntegrationTests.Imap;

/// <summary><see cref="ImapConnectionTests"/> on the in-memory store.</summary>
public sealed class ImapConnectionOnInMemoryTests() : ImapConnectionTests(TestStoreKind.InMemory);
