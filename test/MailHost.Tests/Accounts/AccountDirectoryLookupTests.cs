using MailHost.Accounts;
using MailHost.TestSupport;

namespace MailHost.Tests.Accounts;

public abstract class AccountDirectoryLookupTests : DirectoryTestBase
{
    [StoreFact]
    public async Task An_address_and_an_alias_both_find_the_account_which_lists_them_apart()
    {
        var directory = await OpenWithAliceAsync();
        (await directory.AddAliasAsync("info@example.org", "alice", Ct)).Succeeded.Should().BeTrue();
        var expected = new AccountInfo("alice", ["alice@example.com", "a.smith@example.com"], ["info@example.org"]);

        (await directory.FindByAddressAsync("a.smith@example.com", Ct)).Should().BeEquivalentTo(expected);
        (await directory.FindByAddressAsync("info@example.org", Ct)).Should().BeEquivalentTo(expected);
        (await directory.FindByNameAsync("alice", Ct)).Should().BeEquivalentTo(expected);
        (await directory.FindByAddressAsync("info@example.com", Ct)).Should().BeNull();
        (await directory.FindByAddressAsync("alice", Ct)).Should().BeNull("an account name is not an address");
        (await directory.FindByNameAsync("alice@example.com", Ct)).Should().BeNull("an address is not an account name");
    }

    [StoreTheory]
    [InlineData("Alice@Example.COM")]
    [InlineData("ALICE@example.com.")]
    [InlineData("alice@EXAMPLE.com")]
    public async Task Lookups_by_address_use_the_canonical_form(string typed)
    {
        var directory = await OpenWithAliceAsync();

        (await directory.FindByAddressAsync(typed, Ct))!.Name.Should().Be("alice");
    }

    [StoreFact]
    public async Task Lookups_by_name_use_the_canonical_form_and_never_fold_lookalikes()
    {
        var directory = await OpenWithAliceAsync();
        (await directory.AddAccountAsync("Zo\u00EB", ["zoe@example.com"], null, Ct)).Succeeded.Should().BeTrue();

        (await directory.FindByNameAsync("ALICE", Ct))!.Name.Should().Be("alice");
        (await directory.FindByNameAsync("zoe\u0308", Ct))!.Name.Should().Be("zo\u00EB", "NFD input is normalised to NFC");
        (await directory.FindByNameAsync("\uFF41\uFF4C\uFF49\uFF43\uFF45", Ct)).Should().BeNull("full-width letters are a different name");
        (await directory.FindByNameAsync("ALİCE", Ct)).Should().BeNull("a Turkish dotted capital I is not an i");
        (await directory.FindByNameAsync("alice\0bob", Ct)).Should().BeNull();
        (await directory.FindByNameAsync(new string('a', 100_000), Ct)).Should().BeNull();
    }

    [StoreFact]
    public async Task Internationalised_domains_match_in_either_form()
    {
        var directory = await OpenWithAliceAsync();
        (await directory.AddDomainAsync("bücher.example", Ct)).Succeeded.Should().BeTrue();
        (await directory.AddAliasAsync("shop@BÜCHER.example", "alice", Ct)).Succeeded.Should().BeTrue();

        (await directory.FindByAddressAsync("shop@xn--bcher-kva.example", Ct))!.Aliases.Should().Equal("shop@xn--bcher-kva.example");
        (await directory.FindByAddressAsync("Shop@bücher.example", Ct))!.Name.Should().Be("alice");
    }

    [StoreFact]
    public async Task Password_records_are_found_by_canonical_name_and_missing_for_unknown_accounts()
    {
        var directory = await OpenWithAliceAsync();

        (await directory.GetPasswordRecordAsync("ALICE", Ct))!.Verify("secret").Should().BeTrue();
        (await directory.GetPasswordRecordAsync("bob", Ct)).Should().BeNull();
        (await directory.GetPasswordRecordAsync("not valid", Ct)).Should().BeNull();
    }
}
