using System.Net;
using MailHost.Accounts;
using MailHost.Accounts.Sql;
using MailHost.TestSupport;

namespace MailHost.Tests.Accounts;

public abstract class AccountDirectoryLoginHistoryTests : DirectoryTestBase
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [StoreFact]
    public async Task Login_history_round_trips_every_field()
    {
        var directory = await OpenWithAliceAsync();
        var record = new LoginRecord(
            Start.AddMilliseconds(123), "alice", "Alice@Example.com", "SMTP", "SCRAM-SHA-256",
            new IPEndPoint(IPAddress.Parse("2001:db8::7"), 51234), Tls: false, "mail.client.example", LoginOutcome.EmptyPassword);

        await directory.RecordLoginAsync(record, Ct);

        (await directory.GetRecentLoginsAsync("alice", 10, Ct)).Should().Equal(record);
    }

    [StoreFact]
    public async Task Login_history_keeps_the_last_100_per_account_newest_first()
    {
        var directory = await OpenWithAliceAsync();
        (await directory.AddAccountAsync("bob", [], null, Ct)).Succeeded.Should().BeTrue();
        await directory.RecordLoginAsync(At("bob", 0), Ct);

        for (var i = 0; i < 130; i++)
        {
            await directory.RecordLoginAsync(At("alice", i), Ct);
        }

        var history = await directory.GetRecentLoginsAsync("alice", 1000, Ct);

        history.Should().HaveCount(SqlAccountDirectory.LoginHistoryPerAccount);
        history.Select(h => h.Login).Should().Equal(Enumerable.Range(30, 100).Reverse().Select(i => "login" + i));
        history.Should().BeInDescendingOrder(h => h.Timestamp);
        (await directory.GetRecentLoginsAsync("bob", 1000, Ct)).Should().ContainSingle("one account's history does not push out another's");
        (await directory.GetRecentLoginsAsync("alice", 5, Ct)).Select(h => h.Login).Should().Equal("login129", "login128", "login127", "login126", "login125");
    }

    [StoreFact]
    public async Task Logins_that_match_no_account_go_to_the_bounded_global_history()
    {
        var directory = await OpenWithAliceAsync();

        await directory.RecordLoginAsync(At(null, 0) with { Outcome = LoginOutcome.Failed }, Ct);
        await directory.RecordLoginAsync(At("ghost", 1) with { Outcome = LoginOutcome.Failed }, Ct);
        await directory.RecordLoginAsync(At("alice", 2), Ct);

        var unresolved = await directory.GetRecentUnresolvedLoginsAsync(10, Ct);
        unresolved.Select(l => (l.AccountName, l.Login)).Should().Equal(("ghost", "login1"), (null, "login0"));
        (await directory.GetRecentLoginsAsync("alice", 10, Ct)).Should().ContainSingle().Which.Login.Should().Be("login2");
        (await directory.GetRecentLoginsAsync("ghost", 10, Ct)).Should().BeEmpty();
    }

    [StoreFact]
    public async Task The_global_history_of_unresolved_logins_is_bounded()
    {
        var directory = await OpenWithAliceAsync();

        // Recorded in parallel: the bound must hold whatever the interleaving of writers.
        var total = SqlAccountDirectory.UnresolvedLoginHistory + 20;
        await Parallel.ForEachAsync(
            Enumerable.Range(0, total),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct },
            async (i, ct) => await directory.RecordLoginAsync(At(null, i), ct));

        var unresolved = await directory.GetRecentUnresolvedLoginsAsync(5000, Ct);
        unresolved.Should().HaveCount(SqlAccountDirectory.UnresolvedLoginHistory);
        unresolved.Select(l => l.Login).Should().OnlyHaveUniqueItems();
    }

    [StoreFact]
    public async Task Client_supplied_text_is_clipped_so_the_history_stays_small()
    {
        var directory = await OpenWithAliceAsync();

        await directory.RecordLoginAsync(At("alice", 0) with { Login = new string('x', 10_000), ClientName = new string('y', 10_000) }, Ct);

        var stored = (await directory.GetRecentLoginsAsync("alice", 1, Ct)).Single();
        stored.Login.Length.Should().BeLessThanOrEqualTo(320);
        stored.ClientName!.Length.Should().BeLessThanOrEqualTo(320);
    }

    private static LoginRecord At(string? account, int n) => new(
        Start.AddSeconds(n), account, "login" + n, "IMAP", "LOGIN", new IPEndPoint(IPAddress.Loopback, 40000 + n), Tls: true, "Thunderbird", LoginOutcome.Succeeded);
}
