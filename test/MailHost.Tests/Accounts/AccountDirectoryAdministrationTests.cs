using MailHost.Accounts;
using MailHost.Storage.InMemory;
using MailHost.TestSupport;

namespace MailHost.Tests.Accounts;

public abstract class AccountDirectoryAdministrationTests : DirectoryTestBase
{
    [StoreFact]
    public async Task Domains_are_added_canonical_listed_sorted_and_refused_when_invalid_or_duplicate()
    {
        var directory = await OpenAsync();

        (await directory.AddDomainAsync("Example.ORG.", Ct)).Should().Be(AccountAdministrationResult.Success("Domain 'example.org' added."));
        (await directory.AddDomainAsync("bücher.example", Ct)).Succeeded.Should().BeTrue();
        (await directory.AddDomainAsync("example.com", Ct)).Succeeded.Should().BeTrue();

        (await directory.ListDomainsAsync(Ct)).Should().Equal("example.com", "example.org", "xn--bcher-kva.example");
        (await directory.AddDomainAsync("EXAMPLE.org", Ct)).Should().Be(new AccountAdministrationResult(
            AccountAdministrationError.DuplicateDomain, "Domain 'example.org' is already a local domain."));
        var invalid = await directory.AddDomainAsync("bad domain\u001b[2J", Ct);
        invalid.Error.Should().Be(AccountAdministrationError.InvalidDomain);
        invalid.Message.Should().Be("'bad domain\\u001B[2J' is not a valid domain name.", "control characters are escaped, never echoed");
        (await directory.IsLocalDomainAsync("XN--BCHER-KVA.example", Ct)).Should().BeTrue();
        (await directory.IsLocalDomainAsync("BÜCHER.example.", Ct)).Should().BeTrue();
        (await directory.IsLocalDomainAsync("example.net", Ct)).Should().BeFalse();
    }

    [StoreFact]
    public async Task Removing_a_domain_is_refused_while_an_address_or_alias_uses_it()
    {
        var directory = await OpenWithAliceAsync();
        (await directory.AddAliasAsync("postmaster@example.org", "alice", Ct)).Succeeded.Should().BeTrue();

        (await directory.RemoveDomainAsync("example.com", Ct)).Should().Be(new AccountAdministrationResult(
            AccountAdministrationError.DomainInUse, "Domain 'example.com' is still used by 2 address(es) and 0 alias(es); remove them first."));
        (await directory.RemoveDomainAsync("example.org", Ct)).Error.Should().Be(AccountAdministrationError.DomainInUse);
        (await directory.RemoveDomainAsync("example.net", Ct)).Should().Be(new AccountAdministrationResult(
            AccountAdministrationError.UnknownDomain, "'example.net' is not a local domain."));
        (await directory.RemoveDomainAsync("..", Ct)).Error.Should().Be(AccountAdministrationError.InvalidDomain);

        (await directory.RemoveAliasAsync("postmaster@example.org", Ct)).Succeeded.Should().BeTrue();
        (await directory.RemoveDomainAsync("Example.ORG", Ct)).Should().Be(AccountAdministrationResult.Success("Domain 'example.org' removed."));
        (await directory.RemoveAccountAsync("alice", Ct)).Succeeded.Should().BeTrue();
        (await directory.RemoveDomainAsync("example.com", Ct)).Succeeded.Should().BeTrue();
        (await directory.ListDomainsAsync(Ct)).Should().BeEmpty();
    }

    [StoreTheory]
    [InlineData("alice@example.com")]
    [InlineData("bad name")]
    [InlineData("alice'--")]
    [InlineData("")]
    public async Task Adding_an_account_with_an_invalid_name_is_refused(string name)
    {
        var directory = await OpenWithAliceAsync();

        var result = await directory.AddAccountAsync(name, ["bob@example.com"], null, Ct);

        result.Error.Should().Be(AccountAdministrationError.InvalidName);
        result.Message.Should().Contain("is not a valid account name");
        (await directory.FindByAddressAsync("bob@example.com", Ct)).Should().BeNull();
    }

    [StoreFact]
    public async Task Adding_an_account_is_refused_for_every_conflict_and_creates_nothing_then()
    {
        var directory = await OpenWithAliceAsync();
        (await directory.AddAliasAsync("info@example.com", "alice", Ct)).Succeeded.Should().BeTrue();

        (await directory.AddAccountAsync("ALICE", ["other@example.com"], null, Ct)).Should().Be(new AccountAdministrationResult(
            AccountAdministrationError.DuplicateAccount, "Account 'alice' already exists."));
        (await directory.AddAccountAsync("bob", ["bob@example.com", "\"quoted\"@example.com"], null, Ct)).Error
            .Should().Be(AccountAdministrationError.InvalidAddress);
        (await directory.AddAccountAsync("bob", ["bob@example.com", "bob@example.net"], null, Ct)).Should().Be(new AccountAdministrationResult(
            AccountAdministrationError.UnknownDomain, "The domain of 'bob@example.net' is not a local domain; add it first with 'domains add example.net'."));
        (await directory.AddAccountAsync("bob", ["bob@example.com", "Alice@Example.COM"], null, Ct)).Should().Be(new AccountAdministrationResult(
            AccountAdministrationError.DuplicateAddress, "'alice@example.com' is already an address of account 'alice'."));
        (await directory.AddAccountAsync("bob", ["bob@example.com", "info@example.com"], null, Ct)).Should().Be(new AccountAdministrationResult(
            AccountAdministrationError.DuplicateAddress, "'info@example.com' is already an alias of account 'alice'."));

        (await directory.FindByNameAsync("bob", Ct)).Should().BeNull();
        (await directory.FindByAddressAsync("bob@example.com", Ct)).Should().BeNull();
        (await directory.ListAccountsAsync(Ct)).Should().ContainSingle();
    }

    [StoreFact]
    public async Task Adding_an_account_merges_duplicate_addresses_and_keeps_their_order()
    {
        var directory = await OpenWithAliceAsync();

        var result = await directory.AddAccountAsync("Bob", ["bob@example.org", "BOB@example.org", "b@example.com"], null, Ct);

        result.Should().Be(AccountAdministrationResult.Success("Account 'bob' added with bob@example.org, b@example.com."));
        (await directory.FindByNameAsync("bob", Ct))!.Addresses.Should().Equal("bob@example.org", "b@example.com");
        (await directory.GetPasswordRecordAsync("bob", Ct)).Should().BeNull("an account added without a password cannot log in");
    }

    [StoreFact]
    public async Task Account_updates_are_refused_for_unknown_accounts_and_invalid_names()
    {
        var directory = await OpenWithAliceAsync();
        var record = PasswordRecord.Create("x", Iterations);
        var unknown = new AccountAdministrationResult(AccountAdministrationError.UnknownAccount, "There is no account 'bob'.");

        (await directory.SetPasswordAsync("Bob", record, Ct)).Should().Be(unknown);
        (await directory.SetDisabledAsync("bob", true, Ct)).Should().Be(unknown);
        (await directory.RemoveAccountAsync("bob", Ct)).Should().Be(unknown);
        (await directory.SetPasswordAsync("b b", record, Ct)).Error.Should().Be(AccountAdministrationError.InvalidName);
        (await directory.SetDisabledAsync("b@b", true, Ct)).Error.Should().Be(AccountAdministrationError.InvalidName);
        (await directory.RemoveAccountAsync("", Ct)).Error.Should().Be(AccountAdministrationError.InvalidName);
        (await directory.GetAccountAsync("bob", 10, Ct)).Should().BeNull();
        (await directory.GetAccountAsync("b b", 10, Ct)).Should().BeNull();
    }

    [StoreFact]
    public async Task Setting_a_password_replaces_the_record()
    {
        var directory = await OpenWithAliceAsync();

        (await directory.SetPasswordAsync("Alice", PasswordRecord.Create("new secret", Iterations), Ct))
            .Should().Be(AccountAdministrationResult.Success("Password of account 'alice' changed."));

        var record = await directory.GetPasswordRecordAsync("alice", Ct);
        record!.Verify("new secret").Should().BeTrue();
        record.Verify("secret").Should().BeFalse();
        Logger.Entries.Should().NotContain(e => e.Message.Contains("SCRAM", StringComparison.Ordinal), "no password material is logged");
    }

    [StoreFact]
    public async Task A_malformed_stored_password_record_means_no_password_and_a_warning()
    {
        var directory = await OpenWithAliceAsync();
        await ExecuteSqlAsync("UPDATE accounts SET password = 'SCRAM-SHA-256$1:AA==$x:y' WHERE name = 'alice';");

        (await directory.GetPasswordRecordAsync("alice", Ct)).Should().BeNull();
        (await directory.GetAccountAsync("alice", 0, Ct))!.HasPassword.Should().BeFalse();
        Logger.Entries.Should().Contain(e => e.EventId.Id == 3102 && e.Message.Contains("alice", StringComparison.Ordinal));
    }

    [StoreFact]
    public async Task Disabling_and_enabling_an_account_shows_in_lookups()
    {
        var directory = await OpenWithAliceAsync();

        (await directory.SetDisabledAsync("alice", true, Ct)).Should().Be(AccountAdministrationResult.Success("Account 'alice' disabled."));
        (await directory.FindByAddressAsync("alice@example.com", Ct))!.Disabled.Should().BeTrue();
        (await directory.SetDisabledAsync("alice", false, Ct)).Should().Be(AccountAdministrationResult.Success("Account 'alice' enabled."));
        (await directory.FindByNameAsync("alice", Ct))!.Disabled.Should().BeFalse();
    }

    [StoreFact]
    public async Task Aliases_are_refused_for_every_conflict()
    {
        var directory = await OpenWithAliceAsync();
        (await directory.AddAccountAsync("bob", ["bob@example.com"], null, Ct)).Succeeded.Should().BeTrue();
        (await directory.AddAliasAsync("Info@Example.com", "ALICE", Ct)).Should().Be(AccountAdministrationResult.Success(
            "Alias 'info@example.com' now delivers to account 'alice'."));

        (await directory.AddAliasAsync("not an address", "alice", Ct)).Error.Should().Be(AccountAdministrationError.InvalidAddress);
        (await directory.AddAliasAsync("a%b@example.com", "alice", Ct)).Error.Should().Be(AccountAdministrationError.InvalidAddress);
        (await directory.AddAliasAsync("x@example.com", "not valid", Ct)).Error.Should().Be(AccountAdministrationError.InvalidName);
        (await directory.AddAliasAsync("x@example.com", "carol", Ct)).Should().Be(new AccountAdministrationResult(
            AccountAdministrationError.UnknownAccount, "There is no account 'carol'."));
        (await directory.AddAliasAsync("x@example.net", "alice", Ct)).Error.Should().Be(AccountAdministrationError.UnknownDomain);
        (await directory.AddAliasAsync("bob@example.com", "alice", Ct)).Should().Be(new AccountAdministrationResult(
            AccountAdministrationError.DuplicateAddress, "'bob@example.com' is already an address of account 'bob'."));
        (await directory.AddAliasAsync("INFO@example.com", "bob", Ct)).Should().Be(new AccountAdministrationResult(
            AccountAdministrationError.DuplicateAddress, "'info@example.com' is already an alias of account 'alice'."));

        (await directory.ListAliasesAsync(Ct)).Should().Equal(new AliasInfo("info@example.com", "alice"));
    }

    [StoreFact]
    public async Task Removing_an_alias_refuses_unknown_aliases_and_account_addresses()
    {
        var directory = await OpenWithAliceAsync();
        (await directory.AddAliasAsync("info@example.com", "alice", Ct)).Succeeded.Should().BeTrue();

        (await directory.RemoveAliasAsync("alice@example.com", Ct)).Should().Be(new AccountAdministrationResult(
            AccountAdministrationError.UnknownAlias,
            "'alice@example.com' is an address of account 'alice', not an alias; it goes when the account is removed."));
        (await directory.RemoveAliasAsync("nobody@example.com", Ct)).Should().Be(new AccountAdministrationResult(
            AccountAdministrationError.UnknownAlias, "There is no alias 'nobody@example.com'."));
        (await directory.RemoveAliasAsync("@example.com", Ct)).Error.Should().Be(AccountAdministrationError.InvalidAddress);
        (await directory.RemoveAliasAsync("INFO@EXAMPLE.COM", Ct)).Should().Be(AccountAdministrationResult.Success("Alias 'info@example.com' removed."));

        (await directory.FindByAddressAsync("info@example.com", Ct)).Should().BeNull();
        (await directory.FindByAddressAsync("alice@example.com", Ct)).Should().NotBeNull();
    }

    [StoreFact]
    public async Task Removing_an_account_removes_its_addresses_aliases_and_history_and_frees_them()
    {
        await OpenWithAliceAsync();
        var directory = await OpenAsync(new InMemoryMailStore());
        (await directory.AddAliasAsync("info@example.com", "alice", Ct)).Succeeded.Should().BeTrue();
        await directory.RecordLoginAsync(Login("alice", 0), Ct);

        (await directory.RemoveAccountAsync("Alice", Ct)).Should().Be(AccountAdministrationResult.Success(
            "Account 'alice' removed with its mail, addresses, aliases and login history."));

        (await directory.FindByNameAsync("alice", Ct)).Should().BeNull();
        (await directory.FindByAddressAsync("a.smith@example.com", Ct)).Should().BeNull();
        (await directory.FindByAddressAsync("info@example.com", Ct)).Should().BeNull();
        (await directory.ListAliasesAsync(Ct)).Should().BeEmpty();
        (await directory.AddAccountAsync("alice", ["info@example.com"], null, Ct)).Succeeded.Should().BeTrue("the alias is free again");
        (await directory.GetRecentLoginsAsync("alice", 100, Ct)).Should().BeEmpty("a new account with an old name starts without history");
    }

    [StoreFact]
    public async Task Listing_accounts_returns_every_account_sorted_with_its_addresses_and_aliases()
    {
        var directory = await OpenWithAliceAsync();
        (await directory.AddAccountAsync("carol", [], null, Ct)).Succeeded.Should().BeTrue();
        (await directory.AddAccountAsync("bob", ["bob@example.org"], null, Ct)).Succeeded.Should().BeTrue();
        (await directory.AddAliasAsync("info@example.com", "bob", Ct)).Succeeded.Should().BeTrue();
        (await directory.SetDisabledAsync("carol", true, Ct)).Succeeded.Should().BeTrue();

        var accounts = await directory.ListAccountsAsync(Ct);

        accounts.Should().BeEquivalentTo(
            [
                new AccountInfo("alice", ["alice@example.com", "a.smith@example.com"], []),
                new AccountInfo("bob", ["bob@example.org"], ["info@example.com"]),
                new AccountInfo("carol", [], [], Disabled: true),
            ],
            options => options.WithStrictOrdering());
    }

    [StoreFact]
    public async Task Account_details_carry_creation_time_password_state_and_recent_logins()
    {
        var directory = await OpenWithAliceAsync();
        for (var i = 0; i < 5; i++)
        {
            await directory.RecordLoginAsync(Login("alice", i), Ct);
        }

        var details = await directory.GetAccountAsync("ALICE", 3, Ct);

        details!.Account.Name.Should().Be("alice");
        details.HasPassword.Should().BeTrue();
        details.Created.Should().Be(Time.GetUtcNow());
        details.RecentLogins.Select(l => l.Login).Should().Equal("login4", "login3", "login2");
    }

    [StoreFact]
    public async Task Hostile_text_is_stored_and_found_verbatim_through_parameters()
    {
        var directory = await OpenWithAliceAsync();

        (await directory.AddAliasAsync("o'brien@example.com", "alice", Ct)).Succeeded.Should().BeTrue();

        (await directory.FindByAddressAsync("O'Brien@example.com", Ct))!.Name.Should().Be("alice");
        (await directory.FindByNameAsync("alice' OR '1'='1", Ct)).Should().BeNull();
        (await directory.FindByAddressAsync("x' OR 1=1 --@example.com", Ct)).Should().BeNull();
        (await directory.ListDomainsAsync(Ct)).Should().HaveCount(2, "the schema is intact");
    }

    internal static LoginRecord Login(string? account, int n) => new(
        new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero).AddMinutes(n),
        account,
        "login" + n,
        "IMAP",
        "PLAIN",
        null,
        Tls: true,
        ClientName: null,
        LoginOutcome.Succeeded);
}
