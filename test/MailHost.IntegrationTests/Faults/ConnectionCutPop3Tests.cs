using MailHost.Hosting;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.IntegrationTests.Pop3;
using MailHost.Storage.InMemory;

namespace MailHost.IntegrationTests.Faults;

/// <summary>
/// POP3 sessions cut in the TRANSACTION state: in the middle of a RETR, and after DELE without QUIT. RFC 1939 §6
/// deletes only in the UPDATE state, which only QUIT enters; §8's maildrop lock must be released with the session, so a
/// new login to the same account succeeds at once instead of getting <c>-ERR [IN-USE]</c>.
/// </summary>
public sealed class ConnectionCutPop3Tests
{
    [Theory]
    [InlineData(FaultCut.Reset)]
    [InlineData(FaultCut.Fin)]
    public async Task A_connection_cut_in_the_middle_of_RETR_frees_the_maildrop_and_deletes_nothing(FaultCut cut)
    {
        using var observer = new FaultObserver();
        await using var host = await FaultMailHost.StartAsync(observer);
        await host.World.DeliverAsync("alice", ConnectionCutTests.BigMessage(2 * 1024 * 1024));
        var before = await host.ReadInboxAsync();
        var server = await host.Pop3Async();

        var client = await LoginAsync(server);
        await client.SendAsync("DELE 1\r\nRSET\r\nRETR 1\r\n");
        (await client.ReadLineAsync()).Should().Be("+OK Message 1 deleted");
        (await client.ReadLineAsync()).Should().StartWith("+OK 1 messages");
        (await client.ReadLineAsync()).Should().StartWith("+OK ").And.EndWith(" octets");
        (await client.ReadBytesAsync(64 * 1024)).Should().HaveCount(64 * 1024, "the message is on its way");
        await client.CutAsync(cut);

        await host.ExpectCleanAfterCutAsync();
        (await FaultMailHost.Pop3LoginAsync(server, TimeSpan.FromSeconds(10))).Should().Be(1);
        (await host.ReadInboxAsync()).Should().Be(before);
        await observer.ExpectCleanAsync();
    }

    [Theory]
    [InlineData(FaultCut.Reset)]
    [InlineData(FaultCut.Fin)]
    public async Task A_connection_cut_after_DELE_without_QUIT_deletes_nothing_and_frees_the_maildrop(FaultCut cut)
    {
        using var observer = new FaultObserver();
        await using var host = await FaultMailHost.StartAsync(observer);
        await host.World.DeliverAsync("alice", MailWorld.Message(1));
        await host.World.DeliverAsync("alice", MailWorld.Message(2));
        var before = await host.ReadInboxAsync();
        var server = await host.Pop3Async();

        var client = await LoginAsync(server);
        await client.SendAsync("DELE 1\r\nDELE 2\r\n");
        (await client.ReadLineAsync()).Should().Be("+OK Message 1 deleted");
        (await client.ReadLineAsync()).Should().Be("+OK Message 2 deleted");
        await client.CutAsync(cut);

        await host.ExpectCleanAfterCutAsync();
        (await FaultMailHost.Pop3LoginAsync(server, TimeSpan.FromSeconds(10))).Should().Be(2, "RFC 1939 §6: without QUIT there is no UPDATE state");
        (await host.ReadInboxAsync()).Should().Be(before);
        await observer.ExpectCleanAsync();
    }

    [Fact]
    public async Task A_store_that_throws_while_the_maildrop_opens_does_not_keep_the_lock()
    {
        using var observer = new FaultObserver();
        var store = new FaultThrowingStore(new InMemoryMailStore());
        var world = new MailWorld(store);
        await world.DeliverAsync("alice", MailWorld.Message(1));
        var name = observer.Endpoint("Pop3StoreThrows");
        await using var server = await Pop3SessionTests.StartAsync(world, MailTlsMode.None, allowPlaintext: true, endpoint: o => o.Name = name);

        store.FailOpens = 1;
        await using (var client = await LineClient.ConnectAsync(server.EndPoint))
        {
            (await client.ReadLineAsync()).Should().StartWith("+OK");
            await client.SendAsync("USER alice\r\nPASS " + MailWorld.AlicePassword + "\r\n");
            (await client.ReadLineAsync()).Should().StartWith("+OK");
            (await client.ReadLineAsync()).Should().Be("-ERR [SYS/TEMP] Temporary server problem, try again later");
            (await client.ReadToEndAsync(TimeSpan.FromSeconds(10))).Should().BeEmpty();
        }

        await observer.ExpectNoConnectionsAsync(TimeSpan.FromSeconds(15));
        await using (var again = await LineClient.ConnectAsync(server.EndPoint))
        {
            (await again.ReadLineAsync()).Should().StartWith("+OK");
            await again.SendAsync("USER alice\r\nPASS " + MailWorld.AlicePassword + "\r\nQUIT\r\n");
            (await again.ReadLineAsync()).Should().StartWith("+OK");
            (await again.ReadLineAsync()).Should().StartWith(
                "+OK Logged in; 1 messages",
                "the failed attempt's lock went with it, so this login is not [IN-USE]; the server logged: {0}",
                string.Join(" | ", server.Logs.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning).Select(e => e.EventId.Id + " " + e.Message)));
        }

        await observer.ExpectCleanAsync();
    }

    private static async Task<LineClient> LoginAsync(TestMailServer<MailHost.Pop3.Pop3ConnectionHandler> server)
    {
        var client = await LineClient.ConnectAsync(server.EndPoint);
        (await client.ReadLineAsync()).Should().StartWith("+OK");
        await client.SendAsync("USER alice\r\nPASS " + MailWorld.AlicePassword + "\r\n");
        (await client.ReadLineAsync()).Should().StartWith("+OK");
        (await client.ReadLineAsync()).Should().StartWith("+OK Logged in");
        return client;
    }
}
