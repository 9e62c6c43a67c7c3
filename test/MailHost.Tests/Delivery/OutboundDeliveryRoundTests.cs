using System.Net;
using System.Net.Sockets;
using System.Text;
using MailHost.Delivery;
using MailHost.Delivery.Notifications;
using MailHost.Delivery.Queue;
using MailHost.Delivery.Transport;
using MailHost.Protocols.Smtp;
using MailHost.Storage.Sqlite.Queue;
using MailHost.Tests.Accounts;
using MailHost.Tests.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailHost.Tests.Delivery;

/// <summary>Shutdown in the middle of a round, route precedence over the smart host, and ORCPT towards a DSN next hop.</summary>
public sealed class OutboundDeliveryRoundTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeDnsZone _dns = new();
    private readonly RecordingMailStore _local = new();
    private readonly LoopbackSmtpReceiver _receiver = new();
    private readonly LoopbackSmtpReceiver _dsnReceiver = new("8BITMIME DSN");
    private readonly TcpListener _silent = new(IPAddress.Loopback, 0);
    private readonly OutboundDeliveryOptions _options = new() { CommandTimeout = TimeSpan.FromSeconds(30) };
    private SqliteOutboundQueueStore _queue = null!;
    private SmtpOutboundTransport? _transport;

    public async Task InitializeAsync()
    {
        _silent.Start();
        _options.Routes["remote.test"] = "127.0.0.1:" + _receiver.Port;
        _options.Routes["dsn.test"] = "127.0.0.1:" + _dsnReceiver.Port;

        // Accepts connections and never greets: a next hop that hangs.
        _options.Routes["silent.test"] = "127.0.0.1:" + ((IPEndPoint)_silent.LocalEndpoint).Port;
        _queue = await SqliteOutboundQueueStore.OpenAsync(_directory.FullPath, _time, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_transport is not null)
        {
            await _transport.DisposeAsync();
        }

        _silent.Stop();
        await _queue.DisposeAsync();
        await _receiver.DisposeAsync();
        await _dsnReceiver.DisposeAsync();
        _directory.Dispose();
    }

    private OutboundDeliveryProcessor Processor()
    {
        _transport ??= new SmtpOutboundTransport(_dns, _options, "mail.local.test", _time, NullLogger.Instance);
        var notifier = new DeliveryStatusNotifier(_local, _local, _queue, _options, "mail.local.test", _time, NullLogger.Instance);
        return new OutboundDeliveryProcessor(_queue, new OutboundRouter(_dns, _options), _transport, notifier, _options, _time, NullLogger.Instance);
    }

    private async Task<string> EnqueueAsync(params OutboundRecipient[] recipients)
    {
        var content = "From: alice@local.test\r\nSubject: round\r\n\r\nHi.\r\n";
        var envelope = new OutboundEnvelope("alice@local.test", recipients, "alice");
        var result = await _queue.EnqueueAsync(envelope, new MemoryStream(Encoding.ASCII.GetBytes(content)), _time.GetUtcNow() + _options.MaxAge, CancellationToken.None);
        result.IsSuccess.Should().BeTrue();
        return result.Value;
    }

    [Fact]
    public async Task Shutdown_during_a_round_keeps_finished_domains_and_releases_the_lease_at_once()
    {
        var id = await EnqueueAsync(new OutboundRecipient("bob@remote.test"), new OutboundRecipient("carol@silent.test"));
        using var stop = new CancellationTokenSource();
        var accepted = _silent.AcceptTcpClientAsync();

        var round = Processor().RunDueAsync(stop.Token);
        using var hanging = await accepted.WaitAsync(Timeout);
        await stop.CancelAsync();

        await FluentActions.Awaiting(() => round.WaitAsync(Timeout)).Should().ThrowAsync<OperationCanceledException>();
        var message = (await _queue.GetAsync(id, CancellationToken.None))!;
        message.Recipients[0].State.Should().Be(QueueRecipientState.Delivered, "the first domain finished before the shutdown; it is not sent twice");
        message.Recipients[1].State.Should().Be(QueueRecipientState.Pending);
        message.Recipients[1].Attempts.Should().Be(0, "the interrupted attempt is not counted");
        message.LeaseUntil.Should().BeNull("the lease was released, not left to run out");

        // The fake clock has not moved: the message is due again at once (after a restart, say).
        var lease = await _queue.ClaimAsync("next-worker", TimeSpan.FromMinutes(1), CancellationToken.None);
        lease.Should().NotBeNull();
        lease!.Message.Id.Should().Be(id);
        _receiver.Transactions.Should().ContainSingle();
    }

    [Fact]
    public async Task A_route_wins_over_the_smart_host_which_takes_every_other_domain()
    {
        _options.SmartHost = new OutboundSmartHostOptions { Host = "127.0.0.1", Port = _dsnReceiver.Port, Tls = OutboundTlsMode.None };
        await EnqueueAsync(new OutboundRecipient("bob@remote.test"), new OutboundRecipient("x@elsewhere.test"));

        await Processor().RunDueAsync(CancellationToken.None).WaitAsync(Timeout);

        _receiver.Transactions.Should().ContainSingle().Which.Recipients.Should().Equal("bob@remote.test");
        _dsnReceiver.Transactions.Should().ContainSingle().Which.Recipients.Should().Equal("x@elsewhere.test");
        (await _queue.ListAsync(CancellationToken.None)).Should().BeEmpty();
    }

    [Fact]
    public async Task ORCPT_travels_with_NOTIFY_to_a_next_hop_that_offers_DSN_in_xtext()
    {
        // RFC 3461 §4.2: ORCPT is addr-type ";" xtext; "+" is written "+2B".
        await EnqueueAsync(
            new OutboundRecipient("a+b@dsn.test", SmtpDsnNotify.Failure | SmtpDsnNotify.Delay, new SmtpOriginalRecipient("rfc822", "a+b@dsn.test")),
            new OutboundRecipient("plain@dsn.test"));

        await Processor().RunDueAsync(CancellationToken.None).WaitAsync(Timeout);

        var rcpts = _dsnReceiver.Transactions.Should().ContainSingle().Subject.RcptCommands;
        rcpts[0].Should().Be("RCPT TO:<a+b@dsn.test> NOTIFY=FAILURE,DELAY ORCPT=rfc822;a+2Bb@dsn.test");
        rcpts[1].Should().Be("RCPT TO:<plain@dsn.test>", "without NOTIFY the next hop applies its default");
    }
}
