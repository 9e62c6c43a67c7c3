using MailHost.Accounts;
using MailHost.IntegrationTests.Imap;
using MailHost.IntegrationTests.Infrastructure;

namespace MailHost.IntegrationTests.Logins;

/// <summary>
/// Issue 17 item 11, over real sockets: a loop of <c>LOGIN bob ""</c> is limited, costs no database write per
/// attempt and cannot wipe bob's login history, while a client that sends an empty first password still gets in.
/// </summary>
public class EmptyPasswordLoopTests
{
    private const string EmptyPasswordReply = "NO [AUTHENTICATIONFAILED] Authentication failed: empty password";
    private const string LimitedReply = "NO [UNAVAILABLE] Too many failed authentications, try again later";

    [Theory]
    [InlineData(TestStoreKind.InMemory)]
    [InlineData(TestStoreKind.Sqlite)]
    public async Task A_loop_of_empty_passwords_neither_wipes_the_history_nor_writes_each_time(TestStoreKind kind)
    {
        await using var server = await AuthenticationTestServer.StartAsync(kind, o =>
        {
            o.Throttle.Delays.Clear();
            o.Throttle.Delays.Add(TimeSpan.FromMilliseconds(10));
        });
        (await server.LoginFromAsync("127.0.0.2", "bob", AuthenticationTestServer.BobPassword)).Should().StartWith("a OK");
        var writesBefore = server.Directory.RecordedLogins;

        var replies = new List<string>();
        var connections = 0;
        while (replies.Count < 200)
        {
            await using var client = await server.ConnectFromAsync("127.0.0.3");
            connections++;
            var counted = 0;
            for (var n = 0; replies.Count < 200; n++)
            {
                var tagged = (await client.CommandAsync("e" + n, "LOGIN bob \"\"")).Last();
                replies.Add(tagged[(tagged.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
                if (tagged.EndsWith(LimitedReply, StringComparison.Ordinal) && ++counted == 3)
                {
                    // MaxFailuresPerConnection: the third counted refusal ends the session.
                    (await client.ReadLineAsync()).Should().StartWith("* BYE");
                    (await client.ReadLineAsync()).Should().BeNull();
                    break;
                }
            }
        }

        // The first twenty in the minute are the harmless kind; the rest are refused as throttled and each
        // connection ends after three of those.
        replies.Take(20).Should().OnlyContain(r => r == EmptyPasswordReply);
        replies.Skip(20).Should().OnlyContain(r => r == LimitedReply);
        connections.Should().BeGreaterThanOrEqualTo(180 / 3);

        (server.Directory.RecordedLogins - writesBefore).Should().BeLessThanOrEqualTo(2, "a loop must not cost a synced write per attempt");
        var history = await server.HistoryAsync("bob");
        history[0].Outcome.Should().Be(LoginOutcome.Succeeded);
        history.Count(r => r.IsUnchecked).Should().BeLessThanOrEqualTo(2);

        // A client that tries an empty password before the real one (from elsewhere, during the loop) still gets in.
        await using var seed = await server.ConnectFromAsync("127.0.0.4");
        (await seed.CommandAsync("a", "LOGIN bob \"\"")).Last().Should().StartWith("a NO ");
        (await seed.CommandAsync("b", "LOGIN bob " + AuthenticationTestServer.BobPassword)).Last().Should().StartWith("b OK");
    }
}
