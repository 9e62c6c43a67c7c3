using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using MailHost.Hosting;
using MailHost.IntegrationTests.Imap;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.IntegrationTests.Pop3;
using MailHost.IntegrationTests.Smtp;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Xunit.Abstractions;

namespace MailHost.IntegrationTests.Faults;

/// <summary>
/// A hostile crowd: a few hundred sessions at once on IMAP, POP3 and SMTP for a bounded time, a quarter of them hostile
/// (random bytes, lines far past the parsers' caps, TLS handshakes aborted after the ClientHello, connections opened
/// and left idle). Every honest session completes its script, a fresh login works at the end, the gauges return to
/// zero, and the process has not grown past a stated bound. Measured alone: the bound is on the whole test process.
/// </summary>
[Collection(FaultMeasuredAlone.Name)]
public sealed class LoadSmokeTests(ITestOutputHelper output)
{
    private const int Workers = 240;
    private const int HostileEvery = 4;
    private const int Pop3Accounts = Workers;
    private static readonly TimeSpan RunFor = TimeSpan.FromSeconds(10);
    private static readonly IPAddress HostileSource = IPAddress.Parse("127.0.0.2");

    // What the crowd may leave behind: what honest sessions store on purpose (each leaves a message in the in-memory
    // store and a login in the in-memory history, some kilobytes together) and a fixed allowance for pools that keep
    // their buffers. Nothing is allowed per hostile connection: what the server allocated for those, up to the parsers'
    // caps per line, must be collectable once they are closed.
    private const long FixedAllowance = 64L * 1024 * 1024;
    private const long PerHonestSession = 32L * 1024;

    [Fact]
    public async Task A_hostile_crowd_leaves_honest_sessions_served_and_the_server_whole()
    {
        using var observer = new FaultObserver();
        var world = new MailWorld();
        for (var i = 0; i < Pop3Accounts; i++)
        {
            world.Directory.AddAccount("load" + i, MailWorld.AlicePassword, MailHost.Accounts.PasswordRecord.MinimumIterations);
            world.Directory.AddAddress("load" + i, $"load{i}@example.com");
        }

        await world.DeliverAsync("alice", MailWorld.Message(1));
        static void Open(MailEndpointOptions o) => o.MaxConnectionsPerAddress = 0;
        await using var imap = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true, endpoint: Named(observer, "LoadImap", Open));
        await using var imaps = await ImapTestServer.StartAsync(world, MailTlsMode.Implicit, endpoint: Named(observer, "LoadImaps", Open));
        await using var pop3 = await Pop3SessionTests.StartAsync(world, MailTlsMode.None, allowPlaintext: true, endpoint: Named(observer, "LoadPop3", Open));
        await using var smtp = await SmtpTestHost.StartAsync(world, tls: MailTlsMode.None, endpoint: Named(observer, "LoadSmtp", Open));
        var ports = new Ports(imap.EndPoint, imaps.EndPoint, pop3.EndPoint, smtp.EndPoint);

        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();
        var completed = new ConcurrentDictionary<string, int>();
        var failures = new ConcurrentQueue<string>();
        var idle = new ConcurrentBag<LineClient>();
        var peak = 0L;
        using var sampling = new CancellationTokenSource();
        var sampler = SamplePeakAsync(observer, v => peak = Math.Max(peak, v), sampling.Token);
        var workers = Enumerable.Range(0, Workers).Select(w => Task.Run(() => w % HostileEvery == 0
            ? HostileAsync(w, ports, clock, idle)
            : HonestAsync(w, ports, clock, completed, failures))).ToArray();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));
        var ran = clock.Elapsed;
        await sampling.CancelAsync();
        await sampler;

        output.WriteLine($"{ran.TotalSeconds:F1} s, peak {peak} connections, honest sessions: {string.Join(", ", completed.Select(p => $"{p.Key} {p.Value}"))}");
        failures.Should().BeEmpty("every honest session completes its script");
        completed.Values.Sum().Should().BeGreaterThanOrEqualTo(Workers - (Workers / HostileEvery), "every honest worker finished at least one session");
        peak.Should().BeGreaterThan(Workers / 2, "the sessions were concurrent");

        // The server still answers a fresh login while the idle ones are still there.
        using (var fresh = new ImapClient { Timeout = 15_000 })
        {
            await fresh.ConnectAsync("127.0.0.1", imap.Port, SecureSocketOptions.None);
            await fresh.AuthenticateAsync("alice", MailWorld.AlicePassword);
            await fresh.DisconnectAsync(true);
        }

        foreach (var client in idle)
        {
            await client.CutAsync(FaultCut.Fin);
        }

        await observer.ExpectCleanAsync(TimeSpan.FromSeconds(30));
        var after = GC.GetTotalMemory(forceFullCollection: true);
        output.WriteLine($"managed memory {baseline / 1024} KiB before, {after / 1024} KiB after");
        (after - baseline).Should().BeLessThan(FixedAllowance + (PerHonestSession * completed.Values.Sum()));
    }

    private static Action<MailEndpointOptions> Named(FaultObserver observer, string prefix, Action<MailEndpointOptions> configure)
    {
        var name = observer.Endpoint(prefix);
        return o =>
        {
            o.Name = name;
            configure(o);
        };
    }

    private static async Task SamplePeakAsync(FaultObserver observer, Action<long> record, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                record(observer.Active);
                await Task.Delay(TimeSpan.FromMilliseconds(50), stop);
            }
        }
        catch (OperationCanceledException)
        {
            // Sampling is over.
        }
    }

    /// <summary>One honest client, IMAP, POP3 or SMTP by its number, running its script again and again for the run's time.</summary>
    private static async Task HonestAsync(int worker, Ports ports, Stopwatch clock, ConcurrentDictionary<string, int> completed, ConcurrentQueue<string> failures)
    {
        var kind = (worker % 3) switch { 0 => "imap", 1 => "pop3", _ => "smtp" };
        do
        {
            try
            {
                switch (kind)
                {
                    case "imap":
                        await ImapScriptAsync(ports.Imap.Port, worker);
                        break;
                    case "pop3":
                        await Pop3ScriptAsync(ports.Pop3.Port, worker);
                        break;
                    default:
                        await SmtpScriptAsync(ports.Smtp.Port, worker);
                        break;
                }

                completed.AddOrUpdate(kind, 1, (_, n) => n + 1);
            }
#pragma warning disable CA1031 // A failed honest session is recorded and reported, not thrown from a worker.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failures.Enqueue($"{kind} worker {worker}: {ex.GetType().Name}: {ex.Message}");
                return;
            }
        }
        while (clock.Elapsed < RunFor);
    }

    private static async Task ImapScriptAsync(int port, int worker)
    {
        using var client = new ImapClient { Timeout = 20_000 };
        await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None);
        await client.AuthenticateAsync("alice", MailWorld.AlicePassword);
        await client.Inbox.OpenAsync(FolderAccess.ReadWrite);
        using var message = Message($"load {worker}", "alice@example.com");
        var uid = await client.Inbox.AppendAsync(message);
        var summaries = await client.Inbox.FetchAsync(new UniqueIdSet([uid!.Value]), MessageSummaryItems.Envelope | MessageSummaryItems.Size);
        summaries.Should().ContainSingle().Which.Envelope!.Subject.Should().Be($"load {worker}");
        await client.DisconnectAsync(true);
    }

    private static async Task Pop3ScriptAsync(int port, int worker)
    {
        // Each POP3 worker has an account of its own: the maildrop lock admits one session per account (RFC 1939 §8).
        using var client = new Pop3Client { Timeout = 20_000 };
        await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None);
        await client.AuthenticateAsync("load" + worker, MailWorld.AlicePassword);
        if (client.Count > 0)
        {
            using var first = await client.GetMessageAsync(0);
            first.Should().NotBeNull();
        }

        await client.DisconnectAsync(true);
    }

    private static async Task SmtpScriptAsync(int port, int worker)
    {
        using var client = new SmtpClient { Timeout = 20_000 };
        await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None);
        using var message = Message($"load {worker}", $"load{(worker + 1) % Pop3Accounts}@example.com");
        await client.SendAsync(message);
        await client.DisconnectAsync(true);
    }

    private static MimeMessage Message(string subject, string to)
        => new([new MailboxAddress("Bob", "bob@remote.example")], [new MailboxAddress("", to)], subject, new TextPart("plain") { Text = "Load test" });

    /// <summary>
    /// One hostile client by its number: random bytes, an oversize line, an aborted TLS handshake, or a connection
    /// left idle (held until the test ends). Repeats for the run's time, except the idle one.
    /// </summary>
    private static async Task HostileAsync(int worker, Ports ports, Stopwatch clock, ConcurrentBag<LineClient> idle)
    {
        var random = new Random(worker);
        var kind = (worker / HostileEvery) % 4;
        if (kind == 3)
        {
            var lurker = await LineClient.ConnectFromAsync(random.Next(3) switch { 0 => ports.Imap, 1 => ports.Pop3, _ => ports.Smtp }, HostileSource);
            idle.Add(lurker);
            return;
        }

        do
        {
            var target = random.Next(3) switch { 0 => ports.Imap, 1 => ports.Pop3, _ => ports.Smtp };
            var client = await LineClient.ConnectFromAsync(kind == 2 ? ports.Imaps : target, HostileSource);
            try
            {
                switch (kind)
                {
                    case 0:
                        var garbage = new byte[4096];
                        random.NextBytes(garbage);
                        await client.SendRawAsync(garbage);
                        await client.ReadToEndAsync(TimeSpan.FromSeconds(2));
                        break;
                    case 1:
                        // Far past every parser's line cap (IMAP 64 KiB, SMTP and POP3 far less), with no line end.
                        var line = new byte[256 * 1024];
                        Array.Fill(line, (byte)'A');
                        await client.SendRawAsync(line);
                        await client.ReadToEndAsync(TimeSpan.FromSeconds(2));
                        break;
                    default:
                        await StalledTlsHandshake.StartAsync(client);
                        break;
                }
            }
            catch (IOException)
            {
                // The server closed on the attacker, which is what it should do.
            }
            catch (OperationCanceledException)
            {
                // The server is still discarding the oversize line (or ignoring the garbage): the attacker gives up.
            }
            finally
            {
                await client.CutAsync(FaultCut.Reset);
            }
        }
        while (clock.Elapsed < RunFor);
    }

    private sealed record Ports(IPEndPoint Imap, IPEndPoint Imaps, IPEndPoint Pop3, IPEndPoint Smtp);
}
