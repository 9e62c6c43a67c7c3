using MailHost.Accounts;
using MailHost.TestSupport;

namespace MailHost.Tests.Accounts;

public abstract class AccountDirectoryConcurrencyTests : DirectoryTestBase
{
    [StoreFact]
    public async Task Fifty_parallel_logins_adds_and_lookups_from_two_instances_all_succeed()
    {
        var first = await OpenWithAliceAsync();

        // A second instance over the same file stands in for a second host: no shared in-process state.
        var second = await OpenAsync();
        var tasks = new List<Task>();
        for (var i = 0; i < 50; i++)
        {
            var n = i;
            var directory = n % 2 == 0 ? first : second;
            tasks.Add(Task.Run(async () => await directory.RecordLoginAsync(AccountDirectoryAdministrationTests.Login("alice", n), Ct), Ct));
            tasks.Add(Task.Run(
                async () =>
                {
                    var result = await directory.AddAccountAsync($"user{n}", [$"user{n}@example.com"], null, Ct);
                    result.Succeeded.Should().BeTrue(result.Message);
                    (await directory.AddAliasAsync($"alias{n}@example.org", $"user{n}", Ct)).Succeeded.Should().BeTrue();
                },
                Ct));
            tasks.Add(Task.Run(async () => (await directory.FindByAddressAsync("alice@example.com", Ct)).Should().NotBeNull(), Ct));
        }

        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60), Ct);

        (await first.GetRecentLoginsAsync("alice", 100, Ct)).Should().HaveCount(50);
        (await second.ListAccountsAsync(Ct)).Should().HaveCount(51);
        (await first.ListAliasesAsync(Ct)).Should().HaveCount(50);
        (await second.FindByAddressAsync("alias49@example.org", Ct))!.Name.Should().Be("user49");
    }

    [StoreFact]
    public async Task Racing_adds_of_one_address_let_exactly_one_win()
    {
        var first = await OpenWithAliceAsync();
        var second = await OpenAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(
            async () => await (i % 2 == 0 ? first : second).AddAccountAsync($"racer{i}", ["prize@example.com"], null, Ct),
            Ct))).WaitAsync(TimeSpan.FromSeconds(60), Ct);

        results.Count(r => r.Succeeded).Should().Be(1);
        results.Where(r => !r.Succeeded).Should().AllSatisfy(r => r.Error.Should().Be(AccountAdministrationError.DuplicateAddress));
        (await first.ListAccountsAsync(Ct)).Should().HaveCount(2);
    }
}
