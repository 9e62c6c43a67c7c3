using System.Diagnostics;
using System.Net;
using System.Text;
using MailHost.Hosting;
using MailHost.IntegrationTests.Imap;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.IntegrationTests.Smtp;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace MailHost.IntegrationTests.Faults;

/// <summary>Fifty slow clients at once, and honest clients served in their normal time beside them.</summary>
public sealed partial class SlowPeerTests
{
    private static readonly IPAddress SlowSource = IPAddress.Parse("127.0.0.2");
    private static readonly TimeSpan HonestBound = TimeSpan.FromSeconds(10);
    private const int SlowOfEachKind = 10;
    private const int HonestOfEachKind = 10;

    [Fact]
    public async Task Fifty_slow_clients_at_once_do_not_keep_honest_clients_from_being_served()
    {
        using var observer = new FaultObserver();
        var world = new MailWorld();
        await world.DeliverAsync("alice", ConnectionCutTests.BigMessage(1024 * 1024));

        // Deadlines longer than the test: the slow clients hold their connections while the honest ones are served.
        var slowDeadline = TimeSpan.FromSeconds(60);
        var imapName = observer.Endpoint("CrowdImap");
        var smtpName = observer.Endpoint("CrowdSmtp");
        await using var imap = await ImapTestServer.StartAsync(
            world,
            MailTlsMode.None,
            allowPlaintext: true,
            imap: o =>
            {
                o.WriteTimeout = slowDeadline;
                o.AuthenticatedIdleTimeout = slowDeadline;
            },
            endpoint: o =>
            {
                o.Name = imapName;
                o.PreAuthenticationIdleTimeout = slowDeadline;
            });
        await using var smtp = await SmtpTestHost.StartAsync(world, tls: MailTlsMode.None, smtp: o => o.DataTimeout = slowDeadline, endpoint: o => o.Name = smtpName);

        using var stop = new CancellationTokenSource();
        var slow = new List<Task>();
        var slowClients = new List<LineClient>();
        try
        {
            for (var i = 0; i < SlowOfEachKind; i++)
            {
                // A reader of a 1 MiB FETCH at 10 bytes a second, a dripped APPEND literal, a dripped DATA, a dripped
                // command before login, and a reader of a 1 MiB FETCH that reads nothing at all.
                var reader = await SlowImapLoginAsync(imap);
                slowClients.Add(reader);
                await reader.SendAsync("F1 FETCH 1 BODY.PEEK[]\r\n");
                slow.Add(FaultSlowPeer.ReadSlowlyAsync(reader.Socket, BytesPerSecond, null, stop.Token));

                var appender = await SlowImapLoginAsync(imap);
                slowClients.Add(appender);
                await appender.SendAsync("A1 APPEND INBOX {100000}\r\n");
                (await appender.ReadLineAsync()).Should().StartWith("+ ");
                slow.Add(DripUntilStoppedAsync(appender, stop.Token));

                var sender = await LineClient.ConnectFromAsync(smtp.EndPoint, SlowSource);
                slowClients.Add(sender);
                (await sender.ReadLineAsync()).Should().StartWith("220 ");
                await sender.SendAsync("EHLO slow.example\r\nMAIL FROM:<s@slow.example>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n");
                await SmtpMxTests.ReadReplyAsync(sender);
                (await sender.ReadLineAsync()).Should().StartWith("250 ");
                (await sender.ReadLineAsync()).Should().StartWith("250 ");
                (await sender.ReadLineAsync()).Should().StartWith("354 ");
                slow.Add(DripUntilStoppedAsync(sender, stop.Token));

                var lurker = await LineClient.ConnectFromAsync(imap.EndPoint, SlowSource);
                slowClients.Add(lurker);
                (await lurker.ReadLineAsync()).Should().StartWith("* OK");
                slow.Add(DripUntilStoppedAsync(lurker, stop.Token));

                var deaf = await SlowImapLoginAsync(imap);
                slowClients.Add(deaf);
                await deaf.SendAsync("F1 FETCH 1 BODY.PEEK[]\r\n");
            }

            observer.Active.Should().Be(5 * SlowOfEachKind);

            var honest = new List<Task<TimeSpan>>();
            for (var i = 0; i < HonestOfEachKind; i++)
            {
                var n = i;
                honest.Add(TimedAsync(() => HonestImapAsync(imap.Port, n)));
                honest.Add(TimedAsync(() => HonestSmtpAsync(smtp.Port, n)));
            }

            var times = await Task.WhenAll(honest).WaitAsync(TimeSpan.FromSeconds(60));
            output.WriteLine("honest sessions took " + string.Join(", ", times.Select(t => $"{t.TotalMilliseconds:F0} ms")));
            times.Should().AllSatisfy(t => t.Should().BeLessThan(HonestBound));
            observer.ActiveOn(imapName).Should().Be(4 * SlowOfEachKind, "the slow clients were still connected throughout");
            observer.ActiveOn(smtpName).Should().Be(SlowOfEachKind);

            // Every honest message arrived, none of the slow ones: one delivered before, ten appended, ten sent.
            (await SmtpTestHost.InboxAsync(world.MailStore, "alice")).Should().HaveCount(1 + (2 * HonestOfEachKind));
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(slow).WaitAsync(TimeSpan.FromSeconds(30));
            foreach (var client in slowClients)
            {
                await client.CutAsync(FaultCut.Reset);
            }
        }

        await observer.ExpectCleanAsync();
    }

    private static async Task<LineClient> SlowImapLoginAsync(TestMailServer<MailHost.Imap.ImapConnectionHandler> server)
    {
        var client = await LineClient.ConnectFromAsync(server.EndPoint, SlowSource);
        client.Socket.ReceiveBufferSize = FaultSlowPeer.SmallReceiveBuffer;
        (await client.ReadLineAsync()).Should().StartWith("* OK");
        (await client.CommandAsync("L1", "LOGIN alice " + MailWorld.AlicePassword))[^1].Should().StartWith("L1 OK");
        (await client.CommandAsync("S1", "SELECT INBOX"))[^1].Should().StartWith("S1 OK");
        return client;
    }

    /// <summary>One byte a second of header text until the test stops it.</summary>
    private static async Task DripUntilStoppedAsync(LineClient client, CancellationToken stop)
    {
        var bytes = Encoding.ASCII.GetBytes("X-Slow: a header that takes its time\r\n");
        try
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                await client.SendRawAsync([bytes[i % bytes.Length]]);
                await Task.Delay(OneBytePerSecond, stop);
            }
        }
        catch (OperationCanceledException)
        {
            // The test is over.
        }
    }

    private static async Task<TimeSpan> TimedAsync(Func<Task> operation)
    {
        await Task.Yield();
        var clock = Stopwatch.StartNew();
        await operation();
        return clock.Elapsed;
    }

    /// <summary>MailKit: log in, append a message, fetch it back whole, log out.</summary>
    private static async Task HonestImapAsync(int port, int n)
    {
        using var client = new ImapClient { Timeout = 15_000 };
        await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None);
        await client.AuthenticateAsync("alice", MailWorld.AlicePassword);
        var inbox = client.Inbox;
        await inbox.OpenAsync(FolderAccess.ReadWrite);
        using var message = Message($"honest append {n}");
        var uid = await inbox.AppendAsync(message);
        uid.Should().NotBeNull();
        using var fetched = await inbox.GetMessageAsync(uid.Value);
        fetched.Subject.Should().Be($"honest append {n}");
        await client.DisconnectAsync(true);
    }

    /// <summary>MailKit: send one message over SMTP.</summary>
    private static async Task HonestSmtpAsync(int port, int n)
    {
        using var client = new SmtpClient { Timeout = 15_000 };
        await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None);
        using var message = Message($"honest send {n}");
        await client.SendAsync(message);
        await client.DisconnectAsync(true);
    }

    private static MimeMessage Message(string subject)
        => new([new MailboxAddress("Bob", "bob@remote.example")], [new MailboxAddress("Alice", "alice@example.com")], subject, new TextPart("plain") { Text = "Hello" });
}
