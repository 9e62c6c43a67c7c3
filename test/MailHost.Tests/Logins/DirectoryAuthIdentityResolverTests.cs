using MailHost.Accounts;
using MailHost.Logins;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MailHost.Tests.Logins;

public class DirectoryAuthIdentityResolverTests
{
    private static (DirectoryAuthIdentityResolver Resolver, ListLogger<DirectoryAuthIdentityResolver> Log) Create(LoginIdentityMode mode)
    {
        var directory = new InMemoryAccountDirectory();
        directory.AddDomain("example.com");
        directory.AddDomain("bücher.example");
        directory.AddAccount("alice");
        directory.AddAddress("alice", "alice@example.com");
        directory.AddAlias("alice", "sales@example.com");
        directory.AddAccount("admin");
        directory.AddAccount("jörg");
        directory.AddAddress("jörg", "jörg@bücher.example");
        var log = new ListLogger<DirectoryAuthIdentityResolver>();
        var options = Options.Create(new AuthenticationOptions { LoginIdentity = mode });
        return (new DirectoryAuthIdentityResolver(directory, options, log), log);
    }

    private static async Task<string?> ResolveAsync(LoginIdentityMode mode, string login)
    {
        var (resolver, _) = Create(mode);
        var request = new AuthIdentityRequest(login, null, AuthenticationContext.Imap, "LOGIN", null, true);
        var account = await resolver.ResolveAsync(request, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        return account?.Name;
    }

    [Theory]
    [InlineData("alice", "alice")]
    [InlineData("ALICE", "alice")]
    [InlineData("alice@example.com", "alice")]
    [InlineData("Alice@Example.COM", "alice")]
    [InlineData("alice@example.com.", "alice")] // trailing dot of a fully qualified domain
    [InlineData("sales@example.com", "alice")] // alias
    [InlineData("jörg@bücher.example", "jörg")] // U-label domain
    [InlineData("JÖRG@xn--bcher-kva.example", "jörg")] // A-label domain, upper-case umlaut
    public async Task Default_mode_accepts_names_and_addresses_in_canonical_form(string login, string expected) =>
        (await ResolveAsync(LoginIdentityMode.AccountNameOrEmailAddress, login)).Should().Be(expected);

    [Theory]
    [InlineData("ａｌｉｃｅ")] // full-width letters: NFC keeps them distinct from ASCII
    [InlineData("ａｌｉｃｅ@example.com")]
    [InlineData("ADMİN")] // Turkish dotted capital I must not fold to "admin"
    [InlineData("alice%evil")]
    [InlineData("alice%evil@example.com")]
    [InlineData("alice*")]
    [InlineData("alice'--")]
    [InlineData("alice@evil.example")]
    [InlineData("nobody")]
    [InlineData("nobody@example.com")]
    [InlineData("@example.com")]
    [InlineData("alice@")]
    public async Task Lookalikes_and_unknown_logins_resolve_to_nothing(string login) =>
        (await ResolveAsync(LoginIdentityMode.AccountNameOrEmailAddress, login)).Should().BeNull();

    [Fact]
    public async Task Over_long_names_resolve_to_nothing()
    {
        (await ResolveAsync(LoginIdentityMode.AccountNameOrEmailAddress, new string('a', 65))).Should().BeNull();
        (await ResolveAsync(LoginIdentityMode.AccountNameOrEmailAddress, new string('a', 65) + "@example.com")).Should().BeNull();
    }

    [Theory]
    [InlineData("alice", "alice")]
    [InlineData("alice@example.com", null)]
    public async Task Account_name_mode_refuses_addresses(string login, string? expected) =>
        (await ResolveAsync(LoginIdentityMode.AccountName, login)).Should().Be(expected);

    [Theory]
    [InlineData("alice", null)]
    [InlineData("Alice@example.com", "alice")]
    [InlineData("sales@example.com", "alice")]
    public async Task Email_address_mode_refuses_bare_names(string login, string? expected) =>
        (await ResolveAsync(LoginIdentityMode.EmailAddress, login)).Should().Be(expected);

    [Fact]
    public async Task Resolution_is_explained_at_debug_level()
    {
        var (resolver, log) = Create(LoginIdentityMode.AccountName);
        await resolver.ResolveAsync(new AuthIdentityRequest("Alice@Example.COM", null, "IMAP", "LOGIN", null, true), CancellationToken.None);
        await resolver.ResolveAsync(new AuthIdentityRequest("ALICE", null, "IMAP", "LOGIN", null, true), CancellationToken.None);

        log.Entries.Should().HaveCount(2).And.OnlyContain(e => e.Level == LogLevel.Debug);
        log.Entries[0].Text.Should().Contain("Alice@Example.COM").And.Contain("only account names");
        log.Entries[1].Text.Should().Contain("'alice'").And.Contain("account name");
    }
}
