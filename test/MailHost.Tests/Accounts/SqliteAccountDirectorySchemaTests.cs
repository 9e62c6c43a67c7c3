using MailHost.Accounts;
using MailHost.Storage.Sqlite;
using MailHost.Storage.Sqlite.Accounts;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MailHost.Tests.Accounts;

public sealed class SqliteAccountDirectorySchemaTests : DirectoryTestBase
{
    [Fact]
    public async Task Opening_an_empty_folder_creates_the_latest_schema_and_logs_the_migrations()
    {
        File.Exists(DatabasePath).Should().BeFalse();

        await OpenAsync();

        await using var connection = await SqliteDatabase.OpenAsync(DatabasePath, Ct);
        (await SqliteDatabase.GetUserVersionAsync(connection, Ct)).Should().Be(SqliteAccountDirectorySchema.Migrations.Count);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name;";
        var tables = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(Ct))
        {
            while (await reader.ReadAsync(Ct))
            {
                tables.Add(reader.GetString(0));
            }
        }

        tables.Should().Contain(["domains", "accounts", "addresses", "aliases", "login_history", "unresolved_logins", "api_keys", "audit_log", "app_passwords"]);
        Logger.Entries.Should().ContainSingle(e => e.EventId.Id == 3100 && e.Level == LogLevel.Information)
            .Which.Message.Should().Contain($"applied {SqliteAccountDirectorySchema.Migrations.Count} migration(s)").And.Contain("0 -> ");
    }

    [Fact]
    public async Task Reopening_keeps_the_data_and_runs_no_migration()
    {
        await OpenWithAliceAsync();
        var logger = new RecordingLogger();

        var reopened = await SqliteAccountDirectory.OpenAsync(DatabasePath, logger, Ct);

        var alice = await reopened.FindByNameAsync("alice", Ct);
        alice.Should().BeEquivalentTo(new AccountInfo("alice", ["alice@example.com", "a.smith@example.com"], []));
        (await reopened.GetPasswordRecordAsync("alice", Ct))!.Verify("secret").Should().BeTrue();
        (await reopened.ListDomainsAsync(Ct)).Should().Equal("example.com", "example.org");
        logger.Entries.Should().NotContain(e => e.EventId.Id == 3100);
        logger.Entries.Should().Contain(e => e.EventId.Id == 3101);
    }

    [Fact]
    public async Task A_directory_of_the_version_before_the_administration_tables_is_upgraded_with_its_accounts_kept()
    {
        const int Before = 4;
        var password = PasswordRecord.Create("secret", Iterations).ToString();
        await using (var connection = await SqliteDatabase.OpenAsync(DatabasePath, Ct))
        {
            (await SqliteDatabase.MigrateAsync(connection, SqliteAccountDirectorySchema.Migrations.Take(Before).ToList(), Ct)).Should().Be(Before);
            await using var command = connection.CreateCommand();
            command.CommandText = $"""
                INSERT INTO domains (name, created) VALUES ('example.com', 0);
                INSERT INTO accounts (name, password, disabled, created) VALUES ('alice', '{password}', 0, 1772366400000);
                INSERT INTO addresses (address, account_id, domain_id) VALUES ('alice@example.com', 1, 1);
                """;
            await command.ExecuteNonQueryAsync(Ct);
        }

        var directory = await OpenAsync();

        var latest = SqliteAccountDirectorySchema.Migrations.Count;
        Logger.Entries.Should().ContainSingle(e => e.EventId.Id == 3100).Which.Message.Should().Contain($"applied {latest - Before} migration(s), schema version {Before} -> {latest}");
        var alice = await directory.GetAccountAsync("alice", 0, Ct);
        alice!.Account.Should().BeEquivalentTo(new AccountInfo("alice", ["alice@example.com"], []));
        alice.HasPassword.Should().BeTrue();
        alice.IsAdministrator.Should().BeFalse("no account was an administrator before");
        alice.HasTotp.Should().BeFalse();
        (await directory.SetAdministratorAsync("alice", true, Ct)).Succeeded.Should().BeTrue();
        (await directory.SetTotpSecretAsync("alice", new byte[20], Ct)).Succeeded.Should().BeTrue();
        (await directory.TryUseTotpStepAsync("alice", 1, Ct)).Should().BeTrue();
        var key = await directory.CreateApiKeyAsync("upgraded", ApiKeyScope.Full, "cli:root", Ct);
        (await directory.VerifyApiKeyAsync(key.Token, Ct)).Should().NotBeNull();
        await directory.AppendAuditAsync(new AuditEntry(Time.GetUtcNow(), "cli:root", null, AuditActions.AccountAdminGrant, "alice", null), Ct);
        (await directory.GetAuditAsync(10, Ct)).Should().ContainSingle();
        (await directory.IsAdministratorAsync("alice", Ct)).Should().BeTrue();
    }

    [Fact]
    public async Task A_directory_of_the_version_before_app_passwords_is_upgraded_with_its_accounts_and_login_history_kept()
    {
        const int Before = 5;
        var password = PasswordRecord.Create("secret", Iterations).ToString();
        await using (var connection = await SqliteDatabase.OpenAsync(DatabasePath, Ct))
        {
            (await SqliteDatabase.MigrateAsync(connection, SqliteAccountDirectorySchema.Migrations.Take(Before).ToList(), Ct)).Should().Be(Before);
            await using var command = connection.CreateCommand();
            command.CommandText = $"""
                INSERT INTO domains (name, created) VALUES ('example.com', 0);
                INSERT INTO accounts (name, password, disabled, created) VALUES ('alice', '{password}', 0, 1772366400000);
                INSERT INTO addresses (address, account_id, domain_id) VALUES ('alice@example.com', 1, 1);
                INSERT INTO login_history (account_id, time, login, protocol, mechanism, remote_endpoint, tls, client_name, outcome)
                VALUES (1, 1772366400000, 'alice', 'IMAP', 'LOGIN', '192.0.2.7:50000', 1, NULL, 'Succeeded');
                """;
            await command.ExecuteNonQueryAsync(Ct);
        }

        var directory = await OpenAsync();

        Logger.Entries.Should().ContainSingle(e => e.EventId.Id == 3100).Which.Message.Should().Contain($"applied 1 migration(s), schema version {Before} -> {Before + 1}");
        var alice = await directory.GetAccountAsync("alice", 10, Ct);
        alice!.Account.RequiresAppPasswords.Should().BeFalse("no account required app passwords before");
        alice.RecentLogins.Should().ContainSingle().Which.Should().Match<LoginRecord>(l => l.Login == "alice" && l.AppPasswordId == null && l.Outcome == LoginOutcome.Succeeded);
        var created = await directory.CreateAppPasswordAsync("alice", new NewAppPassword("Phone", AppPasswordProtocols.All, [], null), Iterations, Ct);
        (await directory.ListAppPasswordsAsync("alice", Ct)).Should().ContainSingle().Which.Id.Should().Be(created!.AppPassword.Id);
        (await directory.SetAppPasswordsRequiredAsync("alice", true, Ct)).Succeeded.Should().BeTrue();
    }

    [Fact]
    public async Task A_database_from_a_newer_version_is_refused_with_a_clear_error()
    {
        await using (var connection = await SqliteDatabase.OpenAsync(DatabasePath, Ct))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA user_version = {SqliteAccountDirectorySchema.Migrations.Count + 1};";
            await command.ExecuteNonQueryAsync(Ct);
        }

        var open = () => OpenAsync();

        (await open.Should().ThrowAsync<InvalidOperationException>())
            .Which.Message.Should().Contain("newer than this MailHost knows").And.Contain("directory.db");
    }

    [Fact]
    public async Task A_directory_used_before_initialisation_migrates_once_under_concurrent_first_use()
    {
        var directory = new SqliteAccountDirectory(DatabasePath, Logger, Time);

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
            (await directory.AddDomainAsync($"d{i}.example", Ct)).Succeeded));

        results.Should().AllSatisfy(r => r.Should().BeTrue());
        (await directory.ListDomainsAsync(Ct)).Should().HaveCount(20);
        Logger.Entries.Count(e => e.EventId.Id == 3100).Should().Be(1);
    }

    [Fact]
    public async Task Dependency_injection_registers_one_instance_for_both_interfaces()
    {
        var services = new ServiceCollection().AddSingleton<TimeProvider>(Time).AddSqliteAccountDirectory(DatabasePath);
        await using var provider = services.BuildServiceProvider();

        var directory = provider.GetRequiredService<IAccountDirectory>();
        var administration = provider.GetRequiredService<IAccountAdministration>();

        directory.Should().BeSameAs(administration).And.BeSameAs(provider.GetRequiredService<SqliteAccountDirectory>())
            .And.BeSameAs(provider.GetRequiredService<IAdministrationDirectory>()).And.BeSameAs(provider.GetRequiredService<IAppPasswordAdministration>());
        (await administration.AddDomainAsync("example.com", Ct)).Succeeded.Should().BeTrue();
        (await directory.IsLocalDomainAsync("example.com", Ct)).Should().BeTrue();
    }

    [Fact]
    public async Task Open_fails_on_a_file_that_is_not_a_database()
    {
        await File.WriteAllTextAsync(DatabasePath, new string('x', 4096), Ct);

        var open = () => OpenAsync();

        await open.Should().ThrowAsync<SqliteException>();
    }
}
