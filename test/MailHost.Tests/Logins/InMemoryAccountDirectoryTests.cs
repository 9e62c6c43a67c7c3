using MailHost.Accounts;

namespace MailHost.Tests.Logins;

public class InMemoryAccountDirectoryTests
{
    private static LoginRecord Record(string? account, int i) =>
        new(DateTimeOffset.UnixEpoch.AddSeconds(i), account, "login" + i, "IMAP", "LOGIN", null, true, null, LoginOutcome.Failed);

    [Fact]
    public async Task Finds_accounts_by_name_address_and_alias()
    {
        var directory = new InMemoryAccountDirectory();
        directory.AddDomain("Example.COM.");
        directory.AddAccount("Alice", "pw", PasswordRecord.MinimumIterations);
        directory.AddAddress("alice", "Alice@example.com");
        directory.AddAlias("alice", "info@example.com");

        var account = await directory.FindByNameAsync("alice", CancellationToken.None);
        account!.Addresses.Should().Equal("alice@example.com");
        account.Aliases.Should().Equal("info@example.com");
        (await directory.FindByAddressAsync("info@example.com", CancellationToken.None))!.Name.Should().Be("alice");
        (await directory.IsLocalDomainAsync("example.com", CancellationToken.None)).Should().BeTrue();
        (await directory.GetPasswordRecordAsync("alice", CancellationToken.None))!.Verify("pw").Should().BeTrue();
    }

    [Fact]
    public void Conflicts_and_invalid_input_throw()
    {
        var directory = new InMemoryAccountDirectory();
        directory.AddDomain("example.com");
        directory.AddAccount("alice");
        directory.AddAccount("bob");
        directory.AddAddress("alice", "alice@example.com");

        ((Action)(() => directory.AddAccount("ALICE"))).Should().Throw<InvalidOperationException>();
        ((Action)(() => directory.AddAddress("bob", "Alice@Example.com"))).Should().Throw<InvalidOperationException>();
        ((Action)(() => directory.AddAddress("bob", "bob@elsewhere.example"))).Should().Throw<InvalidOperationException>();
        ((Action)(() => directory.AddAddress("carol", "carol@example.com"))).Should().Throw<InvalidOperationException>();
        ((Action)(() => directory.AddAccount("al ice"))).Should().Throw<ArgumentException>();
    }

    [Fact]
    public async Task Login_history_is_bounded_per_account_and_for_unmatched_attempts()
    {
        var directory = new InMemoryAccountDirectory(maxLoginHistory: 3);
        directory.AddAccount("alice");
        for (var i = 0; i < 5; i++)
        {
            await directory.RecordLoginAsync(Record("alice", i), CancellationToken.None);
            await directory.RecordLoginAsync(Record(null, i), CancellationToken.None);
        }

        directory.GetLoginHistory("alice").Select(r => r.Login).Should().Equal("login2", "login3", "login4");
        directory.GetLoginHistory(null).Should().HaveCount(3);
        directory.GetLoginHistory("nobody").Should().BeEmpty();
    }

    [Fact]
    public async Task Concurrent_writes_are_safe()
    {
        var directory = new InMemoryAccountDirectory(maxLoginHistory: 1000);
        directory.AddAccount("alice");
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                await directory.RecordLoginAsync(Record("alice", i), CancellationToken.None);
            }
        }))).WaitAsync(TimeSpan.FromSeconds(10));
        directory.GetLoginHistory("alice").Should().HaveCount(800);
    }
}
