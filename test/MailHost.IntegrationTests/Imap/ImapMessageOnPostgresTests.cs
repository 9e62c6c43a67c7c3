using MailHost.IntegrationTests.Infrastructure;
using MailHost.TestSupport;

namespace MailHost.IntegrationTests.Imap;

/// <summary><see cref="ImapMessageTests"/> on the PostgreSQL store.</summary>
public sealed class ImapMessageOnPostgresTests() : ImapMessageTests(TestStoreKind.Postgres), IRequiresPostgres;
