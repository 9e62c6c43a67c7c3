using System.Net;
using System.Text;
using MailHost.Delivery;
using MailHost.Delivery.Notifications;
using MailHost.Delivery.Queue;
using MailHost.Delivery.Transport;
using MailHost.Dns;
using MailHost.Storage;
using MailHost.Storage.Sqlite.Queue;
using MailHost.Tests.Accounts;
using MailHost.Tests.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;

namespace MailHost.Tests.Delivery;

/// <summary>
/// A queued message whose processing throws (a resolver, the transport, the notifier, content that does not parse)
/// is a failed attempt like any other: retried with backoff, expired after MaxAge and bounced, never retried for ever.
/// </summary>
public sealed class OutboundProcessingFaultTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly RecordingMailStore _local = new();
    private readonly RecordingLogger _log = new();
    private readonly LoopbackSmtpReceiver _receiver = new();
    private readonly OutboundDeliveryOptions _options = new() { MaxAge = TimeSpan.FromDays(1) };
    private IDnsResolver _dns = new FakeDnsZone();
    private IMailStore _noticeStore;
    private SqliteOutboundQueueStore _queue = null!;
    private SmtpOutboundTransport? _transport;

    public OutboundProcessingFaultTests() => _noticeStore = _local;

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
    }

    private Task<int> RunAsync()
    {
        _transport ??= new SmtpOutboundTransport(_dns, _options, "mail.local.test", _time, NullLogger.Instance);
        var notifier = new DeliveryStatusNotifier(_local, _noticeStore, _queue, _options, "mail.local.test", _time, NullLogger.Instance);
        var processor = new OutboundDeliveryProcessor(_queue, new OutboundRouter(_dns, _options), _transport, notifier, _options, _time, _log);
        return processor.RunDueAsync(CancellationToken.None).WaitAsync(Timeout);
    }

    private async Task<string> EnqueueAsync(string recipient, string content = "From: alice@local.test\r\nTo: x@y.test\r\nSubject: Report\r\n\r\nHi.\r\n")
    {
        var envelope = new OutboundEnvelope("alice@local.test", [new OutboundRecipient(recipient)], "alice");
        var queued = await _queue.EnqueueAsync(envelope, new MemoryStream(Encoding.UTF8.GetBytes(content)), _time.GetUtcNow() + _options.MaxAge, CancellationToken.None);
        queued.IsSuccess.Should().BeTrue();
        return queued.Value;
    }

    /// <summary>Runs rounds, moving the clock to the next due time, until the queue is empty; how many rounds it took.</summary>
    private async Task<int> RunUntilEmptyAsync(int maxRounds)
    {
        var rounds = 0;
        while ((await _queue.ListAsync(CancellationToken.None)).Count > 0 && rounds++ < maxRounds)
        {
            if (await _queue.NextDueAsync(CancellationToken.None) is { } next && next > _time.GetUtcNow())
            {
                _time.Advance(next - _time.GetUtcNow());
            }

            await RunAsync();
        }

        (await _queue.ListAsync(CancellationToken.None)).Should().BeEmpty($"the message must leave the queue within {maxRounds} rounds");
        return rounds;
    }

    private static HeaderList FailedGroup(string notice)
    {
        var bounce = MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(notice)));
        return ((MultipartReport)bounce.Body!).OfType<MessageDeliveryStatus>().Single().StatusGroups[1];
    }

    [Fact]
    public async Task A_message_whose_processing_throws_every_time_is_retried_then_bounced_when_MaxAge_ends()
    {
        _dns = new ThrowingResolver();
        var id = await EnqueueAsync("bob@broken.test");

        (await RunAsync()).Should().Be(1, "the fault stays with the message and does not fail the round");

        var waiting = (await _queue.GetAsync(id, CancellationToken.None))!.Recipients.Single();
        waiting.State.Should().Be(QueueRecipientState.Pending);
        waiting.Attempts.Should().Be(1);
        waiting.LastReply.Should().StartWith("451 4.3.0");
        waiting.NextAttempt.Should().Be(_time.GetUtcNow() + _options.RetryInitialDelay, "the same backoff as any temporary failure");
        var fault = _log.Entries.Should().Contain(e => e.EventId.Id == 3014).Subject;
        fault.Level.Should().Be(LogLevel.Error);
        fault.Message.Should().Contain(id).And.Contain("broken.test");

        var rounds = await RunUntilEmptyAsync(maxRounds: 30);

        rounds.Should().BeInRange(5, 15, "5 minutes doubling to 4 hours over one day");
        _time.GetUtcNow().Should().Be(new DateTimeOffset(2026, 3, 2, 12, 0, 0, TimeSpan.Zero), "the last attempt falls on the expiry time");
        var (account, notice) = _local.Delivered.Should().ContainSingle().Subject;
        account.Should().Be("alice");
        var group = FailedGroup(notice);
        group["Action"].Should().Be("failed");
        group["Status"].Should().Be("4.4.7");
        group["Diagnostic-Code"].Should().Contain("451 4.3.0");
        _log.Entries.Should().ContainSingle(e => e.EventId.Id == 3015 && e.Level == LogLevel.Warning && e.Message.Contains("bob@broken.test", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Content_that_cannot_be_parsed_fails_at_once_instead_of_on_every_round()
    {
        await EnqueueAsync("bob@remote.test", content: "this is no header\r\n\r\nbody\r\n");

        (await RunAsync()).Should().Be(1);

        (await _queue.ListAsync(CancellationToken.None)).Should().BeEmpty();
        _receiver.Transactions.Should().BeEmpty();
        var group = FailedGroup(_local.Delivered.Should().ContainSingle().Subject.Content);
        group["Diagnostic-Code"].Should().Contain("554 5.6.0");
        _log.Entries.Should().Contain(e => e.EventId.Id == 3014 && e.Level == LogLevel.Error);
    }

    [Fact]
    public async Task A_notification_that_throws_every_time_is_given_up_MaxAge_after_the_message_expired()
    {
        _receiver.RcptReply = _ => "550 5.1.1 No such user";
        _noticeStore = new ThrowingStore();
        await EnqueueAsync("nobody@remote.test");

        (await RunAsync()).Should().Be(1, "the notifier's fault does not fail the round");
        var message = (await _queue.ListAsync(CancellationToken.None)).Should().ContainSingle().Subject;
        message.Recipients.Single().State.Should().Be(QueueRecipientState.Failed);
        message.Recipients.Single().Reported.Should().BeFalse();

        await RunUntilEmptyAsync(maxRounds: 2000);

        _time.GetUtcNow().Should().BeOnOrAfter(message.Expires + _options.MaxAge);
        _time.GetUtcNow().Should().BeBefore(message.Expires + _options.MaxAge + _options.RetryInitialDelay + TimeSpan.FromSeconds(1));
        _log.Entries.Should().ContainSingle(e => e.EventId.Id == 3016 && e.Level == LogLevel.Error);
        _log.Entries.Should().Contain(e => e.EventId.Id == 3014 && e.Message.Contains("notification", StringComparison.Ordinal));
    }

    private sealed class ThrowingResolver : IDnsResolver
    {
        public ValueTask<DnsLookup<DnsMxRecord>> ResolveMxAsync(string domain, CancellationToken cancellationToken)
            => throw new InvalidOperationException("resolver fault");

        public ValueTask<DnsLookup<IPAddress>> ResolveAddressesAsync(string host, CancellationToken cancellationToken)
            => throw new InvalidOperationException("resolver fault");

        public ValueTask<DnsLookup<string>> ResolveTxtAsync(string name, CancellationToken cancellationToken)
            => throw new InvalidOperationException("resolver fault");
    }

    private sealed class ThrowingStore : IMailStore
    {
        public MailStoreLimits Limits { get; } = new();

        public ValueTask<StoreResult<DeliveryResult>> DeliverAsync(Stream content, IReadOnlyList<DeliveryTarget> targets, CancellationToken cancellationToken)
            => throw new InvalidOperationException("store fault");

        public ValueTask<StoreResult<IMailAccount>> OpenAccountAsync(string accountName, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<StoreResult> DeleteAccountAsync(string accountName, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<StoreResult> SetQuotaLimitsAsync(string accountName, QuotaLimits? limits, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
