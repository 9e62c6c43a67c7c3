using MailHost.IntegrationTests.Infrastructure;
using MailHost.TestSupport;

namespace MailHost.IntegrationTests.Imap;

/// <summary><see cref="ImapMailboxTests"/> on the PostgreSQL store.</summary>
public sealed class ImapMailboxOnPostgresTests() : ImapMailboxTests(TestStoreKind.Postgres), IRequiresPostgres;
