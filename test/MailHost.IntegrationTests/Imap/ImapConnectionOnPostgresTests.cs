using MailHost.IntegrationTests.Infrastructure;
using MailHost.TestSupport;

namespace MailHost.IntegrationTests.Imap;

/// <summary><see cref="ImapConnectionTests"/> on the PostgreSQL store.</summary>
public sealed class ImapConnectionOnPostgresTests() : ImapConnectionTests(TestStoreKind.Postgres), IRequiresPostgres;
