using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using MailHost.Delivery.Queue;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.IntegrationTests.Outbound;
using MailHost.Tests.Delivery;
using MailHost.TestSupport;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MimeKit;
using Xunit.Abstractions;

namespace MailHost.IntegrationTests.Cluster;

/// <summary>
/// Issue 19 end to end: two real hosts on one PostgreSQL database, both with their outbound workers running, relay
/// mail submitted through both of them to one loopback SMTP receiver. The store-level test
/// (<c>PostgresOutboundQueueMultiHostTests</c>) shows that claims never overlap; these show that what a receiver gets
/// is every message exactly once through the whole path: authenticated submission, the shared queue, both workers'
/// claims and leases, the SMTP transport, retries, and completion.
/// </summary>
public sealed class PostgresOutboundTwoHostsTests(ITestOutputHelper output) : IRequiresPostgres, IAsyncLifetime
{
    private const int MessageCount = 200;

    /// <summary>Every fourth message is refused once in the retry test: 50 retries, enough to cross hosts.</summary>
    private const int RefusedEvery = 4;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(45);
    private static readonly string[] Hostnames = ["a.example.com", "b.example.com"];
    private readonly List<MailHostInstance> _hosts = [];
    private readonly LoopbackSmtpReceiver _receiver = new();
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private string _database = string.Empty;

    public async Task InitializeAsync()
    {
        if (PostgresTestServer.SkipReason is null)
        {
            _database = await PostgresTestServer.CreateDatabaseAsync();
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        await _receiver.DisposeAsync();
        if (_database.Length > 0)
        {
            await PostgresTestServer.DropDatabaseAsync(_database);
        }
    }

    [StoreFact]
    public async Task Two_hosts_workers_deliver_200_queued_messages_each_exactly_once()
    {
        var submittedThrough = await SubmitAndDeliverAsync();

        var received = Received();
        AssertEachDeliveredOnce(received, submittedThrough);
        AttemptsLogged().Should().Be(MessageCount, "one attempt per message, none repeated");

        // Delivery began only once all 200 were queued, so both workers took from one pool of due messages, not
        // each from what its own host accepted.
        output.WriteLine($"{received.Count(r => submittedThrough[r.Id] != r.Host)} delivered by the host they were not submitted through");
        received.Should().Contain(r => submittedThrough[r.Id] == Hostnames[0] && r.Host == Hostnames[1])
            .And.Contain(r => submittedThrough[r.Id] == Hostnames[1] && r.Host == Hostnames[0]);
        await AssertQueuesEmptyAsync();
    }

    [StoreFact]
    public async Task Messages_refused_with_451_at_their_first_attempt_are_retried_across_hosts_and_still_arrive_exactly_once()
    {
        // The first DATA of every fourth message gets a temporary failure; the host that was refused is remembered.
        var refusedBy = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        _receiver.DataReply = transaction =>
        {
            var id = MessageIdOf(transaction);
            return Index(id) % RefusedEvery == 0 && refusedBy.TryAdd(id, transaction.ClientName!)
                ? "451 4.3.0 Try again later"
                : "250 2.0.0 queued";
        };

        var submittedThrough = await SubmitAndDeliverAsync();

        var received = Received();
        AssertEachDeliveredOnce(received, submittedThrough);
        refusedBy.Should().HaveCount(MessageCount / RefusedEvery);
        refusedBy.Values.Should().Contain(Hostnames[0]).And.Contain(Hostnames[1], "both hosts met a refusal");

        // A refused message's lease was released with its next attempt set; whichever worker was free then took it.
        var retriedElsewhere = received.Count(r => refusedBy.TryGetValue(r.Id, out var first) && first != r.Host);
        output.WriteLine($"{retriedElsewhere} of {refusedBy.Count} retries went through the other host");
        retriedElsewhere.Should().BePositive("a retry is due for every worker on the shared queue, not only the one that failed");
        AttemptsLogged("TemporaryFailure").Should().Be(refusedBy.Count, "each refusal is one failed attempt");
        AttemptsLogged().Should().Be(MessageCount + refusedBy.Count, "one attempt per message and one more per refusal, none repeated");
        await AssertQueuesEmptyAsync();
    }

    /// <summary>
    /// Starts both hosts, submits the 200 messages while the receiver holds its greeting, lets delivery start, waits
    /// until both hosts together have finished 200 messages, then stops the hosts so that nothing is left in flight.
    /// Returns each Message-ID with the host it was submitted through.
    /// </summary>
    private async Task<Dictionary<string, string>> SubmitAndDeliverAsync()
    {
        var greeting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _receiver.GreetingAfter = greeting.Task;
        await AdminAsync("domains", "add", "example.com");
        await AdminAsync("users", "add", "alice", "--address", "alice@example.com", "--password", "alice-pw");

        // Started together, as a cluster boots: the schema migrations take an advisory lock. A host that started is
        // disposed with the test even when the other did not.
        var starting = Hostnames.Select(StartHostAsync).ToList();
        try
        {
            await Task.WhenAll(starting);
        }
        finally
        {
            _hosts.AddRange(starting.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result));
        }

        var hosts = _hosts.ToArray();

        // Counted from before the first submission, so no event can be missed.
        var finished = 0;
        var allFinished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        foreach (var host in hosts)
        {
            host.Logs.Logged += entry =>
            {
                if (IsDeliveryEvent(entry, 3003) && Interlocked.Increment(ref finished) == MessageCount)
                {
                    allFinished.TrySetResult();
                }
            };
        }

        var clock = Stopwatch.StartNew();
        // Even messages through the first host, odd ones through the second, both at once.
        var submittedThrough = Enumerable.Range(0, MessageCount).ToDictionary(MessageId, i => Hostnames[i % 2], StringComparer.Ordinal);
        await Task.WhenAll(hosts.Select((host, h) => SubmitAsync(host, Enumerable.Range(0, MessageCount).Where(i => i % 2 == h).Select(Message))));
        var submitted = clock.Elapsed;

        greeting.SetResult();
        var completed = await Task.WhenAny(allFinished.Task, Task.Delay(Timeout)) == allFinished.Task;
        output.WriteLine($"submitted in {submitted.TotalSeconds:F1} s, delivered {Volatile.Read(ref finished)} in {(clock.Elapsed - submitted).TotalSeconds:F1} s more");
        completed.Should().BeTrue($"both hosts together finish {MessageCount} messages within {Timeout.TotalSeconds} s ({Volatile.Read(ref finished)} finished)");

        // Stopping waits for work in progress: after it, the receiver has everything either host will ever send.
        foreach (var host in hosts)
        {
            await host.StopAsync();
        }

        return submittedThrough;
    }

    private List<(string Id, string Host)> Received()
        => [.. _receiver.Transactions.Select(t => (MessageIdOf(t), t.ClientName!))];

    private void AssertEachDeliveredOnce(List<(string Id, string Host)> received, Dictionary<string, string> submittedThrough)
    {
        // Named by what went wrong, so that a failure lists the few messages at fault rather than all 200.
        received.GroupBy(r => r.Id, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => $"{g.Key} from {string.Join(", ", g.Select(r => r.Host))}")
            .Should().BeEmpty("no message is delivered twice");
        submittedThrough.Keys.Except(received.Select(r => r.Id), StringComparer.Ordinal).Should().BeEmpty("no message is lost");
        received.Select(r => r.Id).Except(submittedThrough.Keys, StringComparer.Ordinal).Should().BeEmpty("nothing else arrives");
        foreach (var (host, name) in _hosts.Zip(Hostnames))
        {
            var delivered = received.Count(r => r.Host == name);
            output.WriteLine($"{name}: {delivered} delivered");
            delivered.Should().BePositive($"the worker of {name} delivered some");

            // The host's own view agrees with the receiver's: what it logged as delivered is what arrived from it.
            Count(host, "Delivered").Should().Be(delivered, name);
        }
    }

    private async Task AssertQueuesEmptyAsync()
    {
        foreach (var host in _hosts)
        {
            (await host.Services.GetRequiredService<IOutboundQueueStore>().ListAsync(CancellationToken.None).AsTask().WaitAsync(Timeout))
                .Should().BeEmpty("every message left the shared queue once delivered");

            // No lease was lost, released at shutdown or left behind by a failing round (3002, 3010 to 3014).
            host.Logs.Entries.Should().NotContain(e => e.Category.StartsWith("MailHost.Delivery", StringComparison.Ordinal) && e.Level >= LogLevel.Warning);
        }
    }

    /// <summary>Delivery attempts (3001) logged by both hosts, optionally of one outcome only.</summary>
    private int AttemptsLogged(string? outcome = null) => _hosts.Sum(h => Count(h, outcome));

    private static int Count(MailHostInstance host, string? outcome)
        => host.Logs.Entries.Count(e => IsDeliveryEvent(e, 3001) && (outcome is null || e.Message.Contains(": " + outcome + " ", StringComparison.Ordinal)));

    private static bool IsDeliveryEvent(CapturedLog entry, int eventId) => entry.Category == "MailHost.Delivery" && entry.EventId.Id == eventId;

    private async Task<MailHostInstance> StartHostAsync(string hostname)
    {
        var data = await MailHostInstance.PrepareAsync([]);
        return await MailHostInstance.StartAsync(
            data,
            hostname,
            "--MailHost:Store:Provider=Postgres",
            "--ConnectionStrings:MailHost=" + _database,
            "--MailHost:Outbound:Routes:remote.example=[127.0.0.1]:" + _receiver.Port.ToString(CultureInfo.InvariantCulture),

            // A retry is due 200 ms after a refusal. The first connections wait for the held greeting while the
            // messages are submitted, so the command timeout is generous (a timeout would be a failed attempt). The
            // lease is far longer than the test: a message can be delivered twice only through a broken claim, never
            // through a lease that ran out.
            "--MailHost:Outbound:RetryInitialDelay=00:00:00.200",
            "--MailHost:Outbound:RetryMaxDelay=00:00:01",
            "--MailHost:Outbound:PollInterval=00:00:05",
            "--MailHost:Outbound:CommandTimeout=00:01:00",
            "--MailHost:Outbound:LeaseDuration=00:05:00");
    }

    /// <summary>Submits <paramref name="messages"/> as alice over one authenticated implicit-TLS connection to <paramref name="host"/>.</summary>
    private static async Task SubmitAsync(MailHostInstance host, IEnumerable<MimeMessage> messages)
    {
        using var client = new SmtpClient { ServerCertificateValidationCallback = TestCertificate.Validate, Timeout = 15_000 };
        await client.ConnectAsync(host.Submission.Address.ToString(), host.Submission.Port, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync("alice", "alice-pw");
        foreach (var message in messages)
        {
            await client.SendAsync(message);
        }

        await client.DisconnectAsync(quit: true);
    }

    private string MessageId(int index) => string.Create(CultureInfo.InvariantCulture, $"{index}.{_run}@example.com");

    /// <summary>Message <paramref name="index"/>, whose Message-ID starts with its index.</summary>
    private MimeMessage Message(int index) => new(
        [new MailboxAddress("Alice", "alice@example.com")],
        [new MailboxAddress("Bob", "bob@remote.example")],
        string.Create(CultureInfo.InvariantCulture, $"message {index}"),
        new TextPart("plain") { Text = "Sent once, received once." })
    {
        MessageId = MessageId(index),
    };

    private static int Index(string messageId) => int.Parse(messageId.AsSpan(0, messageId.IndexOf('.', StringComparison.Ordinal)), CultureInfo.InvariantCulture);

    private static string MessageIdOf(LoopbackSmtpReceiver.ReceivedTransaction transaction)
    {
        using var data = new MemoryStream(Encoding.Latin1.GetBytes(transaction.Data));
        return MimeMessage.Load(data).MessageId ?? throw new InvalidDataException("A message arrived without a Message-ID.");
    }

    private Task AdminAsync(params string[] args) => PostgresSiteAdmin.RunAsync(_database, args);
}
