using System.Net;
using MailHost.Accounts;
using MailHost.TestSupport;

namespace MailHost.Tests.Accounts;

/// <summary>
/// <see cref="IAppPasswordAdministration"/> and the login side of app passwords
/// (<see cref="IAccountDirectory.FindAppPasswordAsync"/>), the same on every directory: in memory, SQLite, PostgreSQL.
/// </summary>
public abstract class AppPasswordDirectoryTests : DirectoryTestBase
{
    private static readonly NewAppPassword Phone = new("Alice's phone", AppPasswordProtocols.Imap | AppPasswordProtocols.Smtp, [], null);

    /// <summary>The directory under test with alice (and nobody else).</summary>
    protected virtual async Task<IAccountDirectory> OpenDirectoryWithAliceAsync() => await OpenWithAliceAsync();

    [StoreFact]
    public async Task A_new_app_password_is_listed_without_its_secret_and_found_by_the_lookup_tag_of_its_secret()
    {
        var directory = await OpenDirectoryWithAliceAsync();
        var appPasswords = (IAppPasswordAdministration)directory;
        var networks = new[] { IPNetwork.Parse("192.0.2.0/24"), IPNetwork.Parse("2001:db8::/48") };
        var expires = Time.GetUtcNow().AddDays(90);

        var created = await appPasswords.CreateAppPasswordAsync("ALICE", Phone with { Networks = networks, Expires = expires }, Iterations, Ct);

        created.Should().NotBeNull();
        var info = created!.AppPassword;
        info.Id.Should().MatchRegex("^[0-9a-f]{8}$");
        info.Should().BeEquivalentTo(new { Name = "Alice's phone", Protocols = AppPasswordProtocols.Imap | AppPasswordProtocols.Smtp, Expires = expires, LastUse = (AppPasswordUse?)null });
        info.Networks.Should().Equal(networks);
        created.Secret.Should().MatchRegex("^[a-z2-9]{6}(-[a-z2-9]{6}){3}$");
        var listed = (await appPasswords.ListAppPasswordsAsync("alice", Ct))!.Should().ContainSingle().Subject;
        listed.Should().BeEquivalentTo(info);
        listed.ToString().Should().NotContain(created.Secret);

        var found = await FindAsync(directory, "alice", created.Secret.ToUpperInvariant().Replace("-", " ", StringComparison.Ordinal));
        found.Should().NotBeNull("the secret is found however it is typed");
        found!.AppPassword.Should().BeEquivalentTo(info);
        found.Record.Iterations.Should().Be(Iterations, "the record has the iteration count of a main password");
        AppPasswordSecrets.TryNormalize(created.Secret, out var normalized).Should().BeTrue();
        found.Record.Verify(normalized!).Should().BeTrue("the record is of the secret's normal form");
        found.Record.Verify("secret").Should().BeFalse();
        (await directory.GetPasswordRecordAsync("alice", Ct))!.Verify("secret").Should().BeTrue("the account's own password is untouched");
    }

    [StoreFact]
    public async Task Several_app_passwords_are_each_found_by_their_own_tag_and_a_wrong_secret_finds_none()
    {
        var directory = await OpenDirectoryWithAliceAsync();
        var appPasswords = (IAppPasswordAdministration)directory;
        var secrets = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            secrets.Add((await appPasswords.CreateAppPasswordAsync("alice", Phone with { Name = "device " + i }, Iterations, Ct))!.Secret);
            Time.Advance(TimeSpan.FromSeconds(1));
        }

        (await appPasswords.ListAppPasswordsAsync("alice", Ct))!.Select(p => p.Name).Should().Equal("device 3", "device 2", "device 1", "device 0");
        for (var i = 0; i < 4; i++)
        {
            (await FindAsync(directory, "alice", secrets[i]))!.AppPassword.Name.Should().Be("device " + i);
        }

        (await FindAsync(directory, "alice", AppPasswordSecrets.NewSecret())).Should().BeNull();
        (await FindAsync(directory, "bob", secrets[0])).Should().BeNull("an app password belongs to its own account");
    }

    [StoreFact]
    public async Task A_revoked_app_password_is_found_no_more_and_revoking_needs_the_right_account_and_id()
    {
        var directory = await OpenDirectoryWithAliceAsync();
        var appPasswords = (IAppPasswordAdministration)directory;
        var created = (await appPasswords.CreateAppPasswordAsync("alice", Phone, Iterations, Ct))!;
        var id = created.AppPassword.Id;

        (await appPasswords.RevokeAppPasswordAsync("bob", id, Ct)).Should().BeFalse("bob has no such app password");
        (await appPasswords.RevokeAppPasswordAsync("alice", "not-an-id", Ct)).Should().BeFalse();
        (await appPasswords.RevokeAppPasswordAsync("Alice", id.ToUpperInvariant(), Ct)).Should().BeTrue();

        (await FindAsync(directory, "alice", created.Secret)).Should().BeNull();
        (await appPasswords.ListAppPasswordsAsync("alice", Ct)).Should().BeEmpty();
        (await appPasswords.RevokeAppPasswordAsync("alice", id, Ct)).Should().BeFalse("it is gone already");
    }

    [StoreFact]
    public async Task Requiring_app_passwords_shows_on_the_account_as_its_lookups_return_it()
    {
        var directory = await OpenDirectoryWithAliceAsync();
        var appPasswords = (IAppPasswordAdministration)directory;
        (await directory.FindByNameAsync("alice", Ct))!.RequiresAppPasswords.Should().BeFalse();

        (await appPasswords.SetAppPasswordsRequiredAsync("ALICE", true, Ct)).Should().Be(AccountAdministrationResult.Success(
            "Account 'alice' now requires app passwords: its own password is refused for IMAP, POP3 and SMTP."));

        (await directory.FindByNameAsync("alice", Ct))!.RequiresAppPasswords.Should().BeTrue();
        (await directory.FindByAddressAsync("alice@example.com", Ct))!.RequiresAppPasswords.Should().BeTrue();
        (await appPasswords.SetAppPasswordsRequiredAsync("alice", false, Ct)).Message.Should().Be("Account 'alice' accepts its own password for IMAP, POP3 and SMTP again.");
        (await directory.FindByNameAsync("alice", Ct))!.RequiresAppPasswords.Should().BeFalse();
        (await appPasswords.SetAppPasswordsRequiredAsync("nobody", true, Ct)).Error.Should().Be(AccountAdministrationError.UnknownAccount);
        (await appPasswords.SetAppPasswordsRequiredAsync("no body", true, Ct)).Error.Should().Be(AccountAdministrationError.InvalidName);
    }

    [StoreFact]
    public async Task A_use_is_recorded_as_the_last_use()
    {
        var directory = await OpenDirectoryWithAliceAsync();
        var appPasswords = (IAppPasswordAdministration)directory;
        var created = (await appPasswords.CreateAppPasswordAsync("alice", Phone, Iterations, Ct))!;
        var use = new AppPasswordUse(DateTimeOffset.FromUnixTimeMilliseconds(1_780_000_000_123), IPAddress.Parse("2001:db8::7"), "IMAP", "K-9 Mail");

        await directory.RecordAppPasswordUseAsync("alice", created.AppPassword.Id, use, Ct);
        await directory.RecordAppPasswordUseAsync("alice", "ffffffff", use with { Protocol = "SMTP" }, Ct);

        (await appPasswords.ListAppPasswordsAsync("alice", Ct))!.Single().LastUse.Should().Be(use);
        (await FindAsync(directory, "alice", created.Secret))!.AppPassword.LastUse.Should().Be(use);
    }

    [StoreFact]
    public async Task An_unknown_account_gets_none_and_a_request_breaking_the_rules_is_refused_before_anything_is_stored()
    {
        var directory = await OpenDirectoryWithAliceAsync();
        var appPasswords = (IAppPasswordAdministration)directory;

        (await appPasswords.CreateAppPasswordAsync("nobody", Phone, Iterations, Ct)).Should().BeNull();
        (await appPasswords.CreateAppPasswordAsync("no body", Phone, Iterations, Ct)).Should().BeNull();
        (await appPasswords.ListAppPasswordsAsync("nobody", Ct)).Should().BeNull();
        await FluentActions.Awaiting(() => appPasswords.CreateAppPasswordAsync("alice", Phone with { Name = "" }, Iterations, Ct).AsTask()).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => appPasswords.CreateAppPasswordAsync("alice", Phone with { Name = "bad\nname" }, Iterations, Ct).AsTask()).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => appPasswords.CreateAppPasswordAsync("alice", Phone with { Protocols = AppPasswordProtocols.None }, Iterations, Ct).AsTask()).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => appPasswords.CreateAppPasswordAsync("alice", Phone with { Protocols = (AppPasswordProtocols)8 }, Iterations, Ct).AsTask()).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => appPasswords.CreateAppPasswordAsync("alice", Phone with { Networks = [.. Enumerable.Range(0, 17).Select(i => new IPNetwork(IPAddress.Parse($"10.0.{i}.0"), 24))] }, Iterations, Ct).AsTask()).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => appPasswords.CreateAppPasswordAsync("alice", Phone, 1000, Ct).AsTask()).Should().ThrowAsync<ArgumentOutOfRangeException>();
        (await appPasswords.ListAppPasswordsAsync("alice", Ct)).Should().BeEmpty();
    }

    private static async Task<AppPasswordCredential?> FindAsync(IAccountDirectory directory, string account, string secret)
    {
        AppPasswordSecrets.TryNormalize(secret, out var normalized).Should().BeTrue();
        var key = (await directory.GetServerSecretAsync(CancellationToken.None))!.Value;
        return await directory.FindAppPasswordAsync(account, AppPasswordSecrets.LookupTag(key.Span, normalized!), CancellationToken.None);
    }
}

/// <summary>What only the SQL directories do with app passwords: share them between hosts, remove them with the account, and name them in the login history.</summary>
public abstract class SqlAppPasswordDirectoryTests : AppPasswordDirectoryTests
{
    [StoreFact]
    public async Task Another_host_on_the_same_database_finds_the_app_password()
    {
        var directory = await OpenWithAliceAsync();
        var created = (await directory.CreateAppPasswordAsync("alice", new NewAppPassword("Tablet", AppPasswordProtocols.Pop3, [], null), Iterations, Ct))!;
        var other = await OpenAsync();

        AppPasswordSecrets.TryNormalize(created.Secret, out var normalized).Should().BeTrue();
        var key = (await other.GetServerSecretAsync(Ct))!.Value;
        (await other.FindAppPasswordAsync("alice", AppPasswordSecrets.LookupTag(key.Span, normalized!), Ct))!.AppPassword.Name.Should().Be("Tablet");
        (await other.SetAppPasswordsRequiredAsync("alice", true, Ct)).Succeeded.Should().BeTrue();
        (await directory.GetAccountAsync("alice", 0, Ct))!.Account.RequiresAppPasswords.Should().BeTrue();
        (await directory.ListAccountsAsync(Ct)).Single().RequiresAppPasswords.Should().BeTrue();
    }

    [StoreFact]
    public async Task Removing_the_account_removes_its_app_passwords_and_a_new_account_of_the_name_has_none()
    {
        var directory = await OpenWithAliceAsync(new MailHost.Storage.InMemory.InMemoryMailStore());
        await directory.CreateAppPasswordAsync("alice", new NewAppPassword("Phone", AppPasswordProtocols.All, [], null), Iterations, Ct);
        await directory.SetAppPasswordsRequiredAsync("alice", true, Ct);

        (await directory.RemoveAccountAsync("alice", Ct)).Succeeded.Should().BeTrue();

        Convert.ToInt64(await QueryScalarAsync("SELECT count(*) FROM app_passwords"), System.Globalization.CultureInfo.InvariantCulture).Should().Be(0);
        (await directory.AddAccountAsync("alice", [], PasswordRecord.Create("new", Iterations), Ct)).Succeeded.Should().BeTrue();
        (await directory.ListAppPasswordsAsync("alice", Ct)).Should().BeEmpty();
        (await directory.FindByNameAsync("alice", Ct))!.RequiresAppPasswords.Should().BeFalse();
    }

    [StoreFact]
    public async Task The_login_history_keeps_which_app_password_an_attempt_used()
    {
        var directory = await OpenWithAliceAsync();
        var record = new LoginRecord(
            Time.GetUtcNow(), "alice", "alice@example.com", "IMAP", "PLAIN", new IPEndPoint(IPAddress.Parse("192.0.2.7"), 50123), Tls: true, "Mail",
            LoginOutcome.AppPasswordRestricted)
        {
            AppPasswordId = "0a1b2c3d",
            AppPasswordName = "Alice's phone",
        };

        await directory.RecordLoginAsync(record, Ct);
        await directory.RecordLoginAsync(record with { AppPasswordId = null, AppPasswordName = null, Outcome = LoginOutcome.AppPasswordRequired }, Ct);

        var history = await directory.GetRecentLoginsAsync("alice", 10, Ct);
        history.Should().HaveCount(2);
        history[1].Should().Be(record);
        history[0].AppPasswordId.Should().BeNull();
        history[0].Outcome.Should().Be(LoginOutcome.AppPasswordRequired);
        (await directory.GetAccountAsync("alice", 10, Ct))!.RecentLogins.Should().Equal(history);
    }

    [StoreFact]
    public async Task The_login_history_keeps_the_issuer_of_a_bearer_token()
    {
        var directory = await OpenWithAliceAsync();
        var record = new LoginRecord(
            Time.GetUtcNow(), "alice", "alice@example.com", "SMTP", "OAUTHBEARER", new IPEndPoint(IPAddress.Parse("192.0.2.7"), 50123), Tls: true, null,
            LoginOutcome.Succeeded)
        {
            TokenIssuer = "https://login.example.com/realms/staff",
        };

        await directory.RecordLoginAsync(record, Ct);

        var history = await directory.GetRecentLoginsAsync("alice", 10, Ct);
        history.Should().ContainSingle().Which.Should().Be(record);
        history[0].AppPasswordId.Should().BeNull();
    }

    [StoreFact]
    public async Task A_row_whose_networks_cannot_be_read_is_never_accepted()
    {
        var directory = await OpenWithAliceAsync();
        var created = (await directory.CreateAppPasswordAsync("alice", new NewAppPassword("Phone", AppPasswordProtocols.All, [IPNetwork.Parse("192.0.2.0/24")], null), Iterations, Ct))!;
        await ExecuteSqlAsync("UPDATE app_passwords SET networks = 'not-a-network'");

        AppPasswordSecrets.TryNormalize(created.Secret, out var normalized).Should().BeTrue();
        var key = (await directory.GetServerSecretAsync(Ct))!.Value;
        (await directory.FindAppPasswordAsync("alice", AppPasswordSecrets.LookupTag(key.Span, normalized!), Ct)).Should().BeNull();
        Logger.Entries.Should().Contain(e => e.EventId.Id == 3118 && e.Message.Contains(created.AppPassword.Id, StringComparison.Ordinal));
        Logger.Entries.Should().NotContain(e => e.Message.Contains(created.Secret, StringComparison.Ordinal) || e.Message.Contains(normalized!, StringComparison.Ordinal));
    }
}

public sealed class InMemoryAppPasswordDirectoryTests : AppPasswordDirectoryTests
{
    protected override Task<IAccountDirectory> OpenDirectoryWithAliceAsync()
    {
        var directory = new InMemoryAccountDirectory(timeProvider: Time);
        directory.AddDomain("example.com");
        directory.AddAccount("alice", "secret", Iterations);
        directory.AddAddress("alice", "alice@example.com");
        return Task.FromResult<IAccountDirectory>(directory);
    }
}

public sealed class SqliteAppPasswordDirectoryTests : SqlAppPasswordDirectoryTests;

public sealed class PostgresAppPasswordDirectoryTests : SqlAppPasswordDirectoryTests, IRequiresPostgres;
