using MailHost.Hosting;
using MailHost.IntegrationTests.Imap;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.IntegrationTests.Pop3;
using Xunit.Abstractions;

namespace MailHost.IntegrationTests.Faults;

/// <summary>
/// Readers that take 10 bytes a second of a message of several megabytes (IMAP FETCH, POP3 RETR), all at once. The
/// server holds back what they do not read (about 64 KiB of replies per connection, see
/// <see cref="Connections.OutputBackpressureTests"/> for a client that reads nothing at all) instead of buffering each message
/// whole, cuts each reader at its write timeout and frees everything. Measured alone: the bound is on the whole process.
/// </summary>
[Collection(FaultMeasuredAlone.Name)]
public sealed partial class SlowPeerTests(ITestOutputHelper output)
{
    private const int MessageSize = 2 * 1024 * 1024;
    private const int Readers = 8;
    private const int BytesPerSecond = 10;
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(6);

    // If every reader buffered its message the process would grow by Readers x MessageSize (32 MiB); held back, each
    // holds its transport's and its own flush buffers, about 128 KiB. Half the buffered case leaves room for noise.
    private const long MaxGrowth = Readers * (long)MessageSize / 2;

    [Fact]
    public async Task Slow_readers_of_a_large_FETCH_hold_no_more_than_the_output_limit_and_are_cut_at_the_write_timeout()
    {
        using var observer = new FaultObserver();
        var world = new MailWorld();
        await world.DeliverAsync("alice", ConnectionCutTests.BigMessage(MessageSize));
        var name = observer.Endpoint("SlowFetch");
        using var timeouts = new TimeoutMetrics(name);
        await using var server = await ImapTestServer.StartAsync(
            world, MailTlsMode.None, allowPlaintext: true, imap: o => o.WriteTimeout = WriteTimeout, endpoint: o => o.Name = name);

        var clients = new List<LineClient>();
        for (var i = 0; i < Readers; i++)
        {
            var client = await ImapTestServer.LoginAsync(server);
            client.Socket.ReceiveBufferSize = FaultSlowPeer.SmallReceiveBuffer;
            (await client.CommandAsync("S1", "SELECT INBOX"))[^1].Should().StartWith("S1 OK");
            clients.Add(client);
        }

        await ExpectHeldBackThenCutAsync(observer, timeouts, clients, "F1 FETCH 1 BODY.PEEK[]\r\n");
    }

    [Fact]
    public async Task Slow_readers_of_a_large_RETR_hold_no_more_than_the_output_limit_and_are_cut_at_the_write_timeout()
    {
        using var observer = new FaultObserver();
        var world = new MailWorld();

        // One account per reader: the maildrop lock lets one POP3 session in per account (RFC 1939 §8).
        for (var i = 0; i < Readers; i++)
        {
            world.Directory.AddAccount("reader" + i, MailWorld.AlicePassword, MailHost.Accounts.PasswordRecord.MinimumIterations);
            world.Directory.AddAddress("reader" + i, $"reader{i}@example.com");
            await world.DeliverAsync("reader" + i, ConnectionCutTests.BigMessage(MessageSize));
        }

        var name = observer.Endpoint("SlowRetr");
        using var timeouts = new TimeoutMetrics(name);
        await using var server = await Pop3SessionTests.StartAsync(
            world, MailTlsMode.None, allowPlaintext: true, pop3: o => o.WriteTimeout = WriteTimeout, endpoint: o => o.Name = name);

        var clients = new List<LineClient>();
        for (var i = 0; i < Readers; i++)
        {
            var client = await LineClient.ConnectAsync(server.EndPoint);
            client.Socket.ReceiveBufferSize = FaultSlowPeer.SmallReceiveBuffer;
            (await client.ReadLineAsync()).Should().StartWith("+OK");
            await client.SendAsync($"USER reader{i}\r\nPASS {MailWorld.AlicePassword}\r\n");
            (await client.ReadLineAsync()).Should().StartWith("+OK");
            (await client.ReadLineAsync()).Should().StartWith("+OK Logged in; 1 messages");
            clients.Add(client);
        }

        await ExpectHeldBackThenCutAsync(observer, timeouts, clients, "RETR 1\r\n");

        // The maildrops were released with the sessions: every account logs in again at once.
        await using var check = await Pop3SessionTests.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        for (var i = 0; i < Readers; i++)
        {
            await using var again = await LineClient.ConnectAsync(check.EndPoint);
            (await again.ReadLineAsync()).Should().StartWith("+OK");
            await again.SendAsync($"USER reader{i}\r\nPASS {MailWorld.AlicePassword}\r\nQUIT\r\n");
            (await again.ReadLineAsync()).Should().StartWith("+OK");
            (await again.ReadLineAsync()).Should().StartWith("+OK Logged in; 1 messages");
        }
    }

    /// <summary>
    /// Sends <paramref name="command"/> on every client and reads the answers 10 bytes a second. While all are reading
    /// the process may not have grown by the messages; then the server closes each at the write timeout (not sooner: a
    /// slow reader is not a dead one), counted as <c>reason=write</c>, and the gauge returns to zero. The server's side
    /// is what is timed: a reader still has a receive buffer's worth to read at 10 bytes a second when it is cut.
    /// </summary>
    private async Task ExpectHeldBackThenCutAsync(FaultObserver observer, TimeoutMetrics timeouts, List<LineClient> clients, string command)
    {
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var started = clients.Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToList();
        var readers = new List<Task<(long Read, TimeSpan Lasted)>>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < clients.Count; i++)
        {
            await clients[i].SendAsync(command);
            readers.Add(FaultSlowPeer.ReadSlowlyAsync(clients[i].Socket, BytesPerSecond, started[i], stop.Token));
        }

        // Every server is in its large reply now; give it a moment to fill what it may buffer.
        await Task.WhenAll(started.Select(s => s.Task)).WaitAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(1));
        var during = GC.GetTotalMemory(forceFullCollection: true);
        output.WriteLine($"baseline {baseline / 1024} KiB, with {clients.Count} slow readers {during / 1024} KiB");
        (during - baseline).Should().BeLessThan(MaxGrowth, "no slow reader may have its message buffered whole");
        observer.Active.Should().Be(clients.Count, "the readers are slow, not yet timed out");

        await observer.ExpectNoConnectionsAsync(WriteTimeout + TimeSpan.FromSeconds(30));
        var cutAfter = clock.Elapsed;
        output.WriteLine($"all cut after {cutAfter.TotalSeconds:F1} s");
        cutAfter.Should().BeGreaterThan(WriteTimeout - TimeSpan.FromSeconds(0.5));
        timeouts.Reasons.Count(r => r == "write").Should().Be(clients.Count);

        await stop.CancelAsync();
        foreach (var (read, _) in await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(30)))
        {
            read.Should().BeLessThan(MessageSize / 4, "the reader took only a few bytes a second");
        }

        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        await observer.ExpectCleanAsync();
    }
}
