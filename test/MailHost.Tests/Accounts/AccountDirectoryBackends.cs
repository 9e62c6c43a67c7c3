using MailHost.TestSupport;

namespace MailHost.Tests.Accounts;

// The account directory suites, on each database the directory runs on (DirectoryTestBase picks it).
public sealed class SqliteAccountDirectoryAdministrationTests : AccountDirectoryAdministrationTests;

public sealed class PostgresAccountDirectoryAdministrationTests : AccountDirectoryAdministrationTests, IRequiresPostgres;

public sealed class SqliteAccountDirectoryConcurrencyTests : AccountDirectoryConcurrencyTests;

public sealed class PostgresAccountDirectoryConcurrencyTests : AccountDirectoryConcurrencyTests, IRequiresPostgres;

public sealed class SqliteAccountDirectoryLoginHistoryTests : AccountDirectoryLoginHistoryTests;

public sealed class PostgresAccountDirectoryLoginHistoryTests : AccountDirectoryLoginHistoryTests, IRequiresPostgres;

public sealed class SqliteAccountDirectoryLookupTests : AccountDirectoryLookupTests;

public sealed class PostgresAccountDirectoryLookupTests : AccountDirectoryLookupTests, IRequiresPostgres;

public sealed class SqliteAccountRemovalTests : AccountRemovalTests;

public sealed class PostgresAccountRemovalTests : AccountRemovalTests, IRequiresPostgres;

public sealed class SqliteAccountDirectoryOperatorTests : AccountDirectoryOperatorTests;

public sealed class PostgresAccountDirectoryOperatorTests : AccountDirectoryOperatorTests, IRequiresPostgres;
