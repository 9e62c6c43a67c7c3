using System.Text;
using MailHost.Delivery;
using MailHost.Delivery.Notifications;
using MailHost.Delivery.Transport;
using MailHost.Storage.Sqlite.Queue;
using MailHost.Tests.Accounts;
using MailHost.Tests.Connections;
using MailHost.Tests.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailHost.Tests.Delivery;

/// <summary>
/// The outbound side of the <c>MailHost</c> meter: each recipient's outcome as the real transport met it at a loopback
/// receiver, and the queue gauges from a SQLite queue.
/// </summary>
[Collection(MetricsCollection.Name)]
public sealed class OutboundMetricsTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly MetricsRecorder _metrics = new();
    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeDnsZone _dns = new();
    private readonly RecordingMailStore _local = new();
    private readonly LoopbackSmtpReceiver _receiver = new();
    private readonly OutboundDeliveryOptions _options = new() { MaxAge = TimeSpan.FromDays(5) };
    private SqliteOutboundQueueStore _queue = null!;
    private SmtpOutboundTransport? _transport;

    public async Task InitializeAsync()
    {
        _options.Routes["remote.test"] = "127.0.0.1:" + _receiver.Port;
        _queue = await SqliteOutboundQueueStore.OpenAsync(_directory.FullPath, _time, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_transport is not null)
        {
            await _transport.DisposeAsync();
        }

        await _queue.DisposeAsync();
        await _receiver.DisposeAsync();
        _directory.Dispose();
        _metrics.Dispose();
    }

    [Fact]
    public async Task Each_recipient_is_counted_as_delivered_deferred_or_bounced_with_its_reason()
    {
        _receiver.RcptReply = address => address.StartsWith("nobody", StringComparison.Ordinal) ? "550 5.1.1 No such user"
            : address.StartsWith("later", StringComparison.Ordinal) ? "451 4.7.1 Greylisted, try again later"
            : "250 2.1.5 OK";
        await EnqueueAsync(_time.GetUtcNow() + _options.MaxAge, "bob@remote.test", "nobody@remote.test", "later@remote.test");

        // A message at its maximum age: a temporary failure now is its last.
        await EnqueueAsync(_time.GetUtcNow(), "later-too@remote.test");

        (await RunAsync()).Should().Be(2);

        _metrics.Sum("mailhost.messages.delivered", ("route", "remote")).Should().Be(1);
        _metrics.Sum("mailhost.messages.bounced", ("reason", "permanent")).Should().Be(1);
        _metrics.Sum("mailhost.messages.bounced", ("reason", "expired")).Should().Be(1);
        _metrics.Sum("mailhost.messages.deferred").Should().Be(1);
        _metrics.Sum("mailhost.messages.delivered", ("route", "local")).Should().Be(0, "the bounce to the local sender is a notification, not mail received");
    }

    [Fact]
    public async Task The_queue_gauges_report_the_last_sample_while_the_sampler_runs()
    {
        await EnqueueAsync(_time.GetUtcNow() + _options.MaxAge, "bob@remote.test");
        _time.Advance(TimeSpan.FromSeconds(30));
        await EnqueueAsync(_time.GetUtcNow() + _options.MaxAge, "carol@remote.test");
        _time.Advance(TimeSpan.FromSeconds(60));
        using var sampler = new OutboundQueueSampler(_queue, _time, NullLogger<OutboundQueueSampler>.Instance);

        await sampler.StartAsync(CancellationToken.None);
        await sampler.SampleAsync(CancellationToken.None).WaitAsync(Timeout);
        _metrics.Observe();
        _metrics.Of("mailhost.queue.depth").Should().ContainSingle().Which.Value.Should().Be(2);
        _metrics.Of("mailhost.queue.oldest_age").Should().ContainSingle().Which.Value.Should().Be(90, "the age of the oldest message, on the host's clock");

        // The age is read from the clock when observed, so it grows between samples.
        _time.Advance(TimeSpan.FromSeconds(10));
        _metrics.Observe();
        _metrics.Of("mailhost.queue.oldest_age").Select(m => m.Value).Should().Equal(90, 100);

        await sampler.StopAsync(CancellationToken.None).WaitAsync(Timeout);
        _metrics.Observe();
        _metrics.Of("mailhost.queue.depth").Should().HaveCount(2, "a stopped sampler reports nothing, so a stopped host leaves no value behind");
    }

    private async Task EnqueueAsync(DateTimeOffset expires, params string[] recipients)
    {
        var body = "From: alice@local.test\r\nTo: bob@remote.test\r\nSubject: Metrics\r\n\r\nHi.\r\n";
        var envelope = new OutboundEnvelope("alice@local.test", [.. recipients.Select(r => new OutboundRecipient(r))], "alice");
        (await _queue.EnqueueAsync(envelope, new MemoryStream(Encoding.ASCII.GetBytes(body)), expires, CancellationToken.None)).IsSuccess.Should().BeTrue();
    }

    private Task<int> RunAsync()
    {
        _transport ??= new SmtpOutboundTransport(_dns, _options, "mail.local.test", _time, NullLogger.Instance);
        var notifier = new DeliveryStatusNotifier(_local, _local, _queue, _options, "mail.local.test", _time, NullLogger.Instance);
        var processor = new OutboundDeliveryProcessor(_queue, new OutboundRouter(_dns, _options), _transport, notifier, _options, _time, NullLogger.Instance);
        return processor.RunDueAsync(CancellationToken.None).WaitAsync(Timeout);
    }
}
