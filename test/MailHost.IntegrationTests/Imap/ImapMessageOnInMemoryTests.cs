using MailHost.IntegrationTests.Infrastructure;

namespace MailHost.IntegrationTests.Imap;

/// <summary><see cref="ImapMessageTests"/> on the in-memory store.</summary>
public sealed class ImapMessageOnInMemoryTests() : ImapMessageTests(TestStoreKind.InMemory);
