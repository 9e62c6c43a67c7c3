using MailHost.Accounts;
using MailHost.Storage.Postgres;
using MailHost.Storage.Postgres.Accounts;
using MailHost.TestSupport;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MailHost.Tests.Accounts;

public sealed class PostgresAccountDirectorySchemaTests : DirectoryTestBase, IRequiresPostgres
{
    [StoreFact]
    public async Task A_directory_of_the_version_before_the_administration_tables_is_upgraded_with_its_accounts_kept()
    {
        const int Before = 1;
        var builder = new NpgsqlConnectionStringBuilder(PostgresConnectionString) { SearchPath = PostgresAccountDirectory.SchemaName };
        await using (var dataSource = NpgsqlDataSource.Create(builder))
        {
            await PostgresSchema.EnsureSchemaAsync(dataSource, PostgresAccountDirectory.SchemaName, Ct);
            var older = PostgresAccountDirectorySchema.Migrations.Where(m => m.Version <= Before).ToList();
            (await PostgresSchema.MigrateAsync(dataSource, PostgresAccountDirectorySchema.Component, older, Ct)).Should().Be(1);
        }

        await ExecuteSqlAsync($"""
            INSERT INTO domains (name, created) VALUES ('example.com', 0);
            INSERT INTO accounts (name, password, disabled, created) VALUES ('alice', '{PasswordRecord.Create("secret", Iterations)}', false, 1772366400000);
            INSERT INTO addresses (address, account_id, domain_id) SELECT 'alice@example.com', a.id, d.id FROM accounts a, domains d;
            """);

        var directory = await OpenAsync();

        Logger.Entries.Should().ContainSingle(e => e.EventId.Id == 3100 && e.Level == LogLevel.Information)
            .Which.Message.Should().Contain($"schema version {Before} -> {PostgresAccountDirectorySchema.Migrations[^1].Version}");
        var alice = await directory.GetAccountAsync("alice", 0, Ct);
        alice!.Account.Should().BeEquivalentTo(new AccountInfo("alice", ["alice@example.com"], []));
        alice.IsAdministrator.Should().BeFalse();
        alice.HasTotp.Should().BeFalse();
        (await directory.SetAdministratorAsync("alice", true, Ct)).Succeeded.Should().BeTrue();
        (await directory.IsAdministratorAsync("alice", Ct)).Should().BeTrue();
        (await directory.SetTotpSecretAsync("alice", new byte[20], Ct)).Succeeded.Should().BeTrue();
        (await directory.TryUseTotpStepAsync("alice", 1, Ct)).Should().BeTrue();
        var key = await directory.CreateApiKeyAsync("upgraded", ApiKeyScope.Full, "cli:root", Ct);
        (await directory.VerifyApiKeyAsync(key.Token, Ct)).Should().NotBeNull();
        await directory.AppendAuditAsync(new AuditEntry(Time.GetUtcNow(), "cli:root", null, AuditActions.AccountAdminGrant, "alice", null), Ct);
        (await directory.GetAuditAsync(10, Ct)).Should().ContainSingle();
    }

    [StoreFact]
    public async Task A_directory_of_the_version_before_app_passwords_is_upgraded_with_its_accounts_and_login_history_kept()
    {
        const int Before = 2;
        var builder = new NpgsqlConnectionStringBuilder(PostgresConnectionString) { SearchPath = PostgresAccountDirectory.SchemaName };
        await using (var dataSource = NpgsqlDataSource.Create(builder))
        {
            await PostgresSchema.EnsureSchemaAsync(dataSource, PostgresAccountDirectory.SchemaName, Ct);
            var older = PostgresAccountDirectorySchema.Migrations.Where(m => m.Version <= Before).ToList();
            (await PostgresSchema.MigrateAsync(dataSource, PostgresAccountDirectorySchema.Component, older, Ct)).Should().Be(Before);
        }

        await ExecuteSqlAsync($"""
            INSERT INTO domains (name, created) VALUES ('example.com', 0);
            INSERT INTO accounts (name, password, disabled, created) VALUES ('alice', '{PasswordRecord.Create("secret", Iterations)}', false, 1772366400000);
            INSERT INTO addresses (address, account_id, domain_id) SELECT 'alice@example.com', a.id, d.id FROM accounts a, domains d;
            INSERT INTO login_history (account_id, time, login, protocol, mechanism, remote_endpoint, tls, client_name, outcome)
            SELECT id, 1772366400000, 'alice', 'IMAP', 'LOGIN', '192.0.2.7:50000', true, NULL, 'Succeeded' FROM accounts;
            """);

        var directory = await OpenAsync();

        Logger.Entries.Should().ContainSingle(e => e.EventId.Id == 3100 && e.Level == LogLevel.Information)
            .Which.Message.Should().Contain($"schema version {Before} -> {PostgresAccountDirectorySchema.Migrations[^1].Version}");
        var alice = await directory.GetAccountAsync("alice", 10, Ct);
        alice!.Account.RequiresAppPasswords.Should().BeFalse();
        alice.RecentLogins.Should().ContainSingle().Which.AppPasswordId.Should().BeNull();
        var created = await directory.CreateAppPasswordAsync("alice", new NewAppPassword("Phone", AppPasswordProtocols.All, [], null), Iterations, Ct);
        (await directory.ListAppPasswordsAsync("alice", Ct)).Should().ContainSingle().Which.Id.Should().Be(created!.AppPassword.Id);
        (await directory.SetAppPasswordsRequiredAsync("alice", true, Ct)).Succeeded.Should().BeTrue();
    }
}
