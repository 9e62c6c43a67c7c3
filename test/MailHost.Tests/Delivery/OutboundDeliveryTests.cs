using System.Net;
using System.Text;
using MailHost.Delivery;
using MailHost.Delivery.Notifications;
using MailHost.Delivery.Queue;
using MailHost.Delivery.Transport;
using MailHost.Dns;
using MailHost.Protocols.Smtp;
using MailHost.Storage.Sqlite.Queue;
using MailHost.Tests.Accounts;
using MailHost.Tests.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;

namespace MailHost.Tests.Delivery;

public sealed class OutboundDeliveryTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeDnsZone _dns = new();
    private readonly RecordingMailStore _local = new();
    private readonly LoopbackSmtpReceiver _receiver = new();
    private readonly LoopbackSmtpReceiver _second = new("8BITMIME DSN");
    private readonly OutboundDeliveryOptions _options = new() { MaxAge = TimeSpan.FromDays(5) };
    private SqliteOutboundQueueStore _queue = null!;
    private SmtpOutboundTransport? _transport;

    public async Task InitializeAsync()
    {
        _options.Routes["remote.test"] = "127.0.0.1:" + _receiver.Port;
        _options.Routes["second.test"] = "[127.0.0.1]:" + _second.Port;
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
        await _second.DisposeAsync();
        _directory.Dispose();
    }

    private OutboundDeliveryProcessor Processor()
    {
        _transport ??= new SmtpOutboundTransport(_dns, _options, "mail.local.test", _time, NullLogger.Instance);
        var notifier = new DeliveryStatusNotifier(_local, _local, _queue, _options, "mail.local.test", _time, NullLogger.Instance);
        return new OutboundDeliveryProcessor(_queue, new OutboundRouter(_dns, _options), _transport, notifier, _options, _time, NullLogger.Instance);
    }

    private async Task<string> EnqueueAsync(string body, string? sender, params OutboundRecipient[] recipients)
    {
        var envelope = new OutboundEnvelope(sender, recipients, "alice") { EnvelopeId = "ENV-42", Return = SmtpDsnReturn.Headers };
        var result = await _queue.EnqueueAsync(envelope, new MemoryStream(Encoding.ASCII.GetBytes(body)), _time.GetUtcNow() + _options.MaxAge, CancellationToken.None);
        return result.Value;
    }

    private static string Message(string subject = "Hello", string body = "Hi there.\r\n") =>
        $"From: alice@local.test\r\nTo: bob@remote.test\r\nSubject: {subject}\r\nMessage-ID: <{Guid.NewGuid():N}@local.test>\r\nDate: Sun, 1 Mar 2026 12:00:00 +0000\r\n\r\n{body}";

    private Task<int> RunAsync() => Processor().RunDueAsync(CancellationToken.None).WaitAsync(Timeout);

    [Fact]
    public async Task Recipients_of_one_domain_go_in_one_transaction_with_the_body_byte_exact_and_the_message_leaves_the_queue()
    {
        // SECURITY.md B6/A9: lines ".", "..", ".x" survive the round trip through dot-stuffing.
        var content = Message(body: "line\r\n.\r\n..\r\n.x\r\nend\r\n");
        await EnqueueAsync(content, "alice@local.test", new OutboundRecipient("bob@remote.test"), new OutboundRecipient("carol@Remote.Test"));

        (await RunAsync()).Should().Be(1);

        var transaction = _receiver.Transactions.Should().ContainSingle().Subject;
        transaction.MailFrom.Should().StartWith("MAIL FROM:<alice@local.test>");
        transaction.Recipients.Should().Equal("bob@remote.test", "carol@Remote.Test");
        transaction.Data.Should().Be(content);
        (await _queue.ListAsync(CancellationToken.None)).Should().BeEmpty();
        _local.Delivered.Should().BeEmpty();
    }

    [Fact]
    public async Task A_temporary_failure_is_retried_after_the_backoff_and_then_delivered()
    {
        var attempts = 0;
        _receiver.RcptReply = _ => Interlocked.Increment(ref attempts) == 1 ? "451 4.7.1 greylisted" : "250 2.1.5 OK";
        var id = await EnqueueAsync(Message(), "alice@local.test", new OutboundRecipient("bob@remote.test"));

        await RunAsync();
        var waiting = (await _queue.GetAsync(id, CancellationToken.None))!.Recipients[0];
        waiting.State.Should().Be(QueueRecipientState.Pending);
        waiting.Attempts.Should().Be(1);
        waiting.LastReply.Should().Contain("451 4.7.1");
        waiting.NextAttempt.Should().Be(_time.GetUtcNow() + TimeSpan.FromMinutes(5));

        _time.Advance(TimeSpan.FromMinutes(4));
        (await RunAsync()).Should().Be(0);
        _time.Advance(TimeSpan.FromMinutes(1));
        (await RunAsync()).Should().Be(1);
        _receiver.Transactions.Should().ContainSingle();
        (await _queue.GetAsync(id, CancellationToken.None)).Should().BeNull();
        _local.Delivered.Should().BeEmpty();
    }

    [Fact]
    public void Backoff_doubles_from_the_initial_delay_up_to_the_cap()
    {
        var processor = Processor();
        processor.Backoff(1).Should().Be(TimeSpan.FromMinutes(5));
        processor.Backoff(2).Should().Be(TimeSpan.FromMinutes(10));
        processor.Backoff(6).Should().Be(TimeSpan.FromMinutes(160));
        processor.Backoff(7).Should().Be(TimeSpan.FromHours(4));
        processor.Backoff(30).Should().Be(TimeSpan.FromHours(4));
    }

    [Fact]
    public async Task A_permanent_failure_bounces_a_delivery_status_notification_into_the_senders_inbox()
    {
        _receiver.RcptReply = a => a.StartsWith("nobody", StringComparison.Ordinal) ? "550 5.1.1 No such user" : "250 2.1.5 OK";
        await EnqueueAsync(
            Message(subject: "Quarterly report"),
            "alice@local.test",
            new OutboundRecipient("bob@remote.test"),
            new OutboundRecipient("nobody@remote.test", SmtpDsnNotify.Failure, new SmtpOriginalRecipient("rfc822", "nobody@remote.test")));

        await RunAsync();

        _receiver.Transactions.Should().ContainSingle().Which.Recipients.Should().Equal("bob@remote.test");
        var (account, text) = _local.Delivered.Should().ContainSingle().Subject;
        account.Should().Be("alice");
        var bounce = MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(text)));
        bounce.To.Mailboxes.Single().Address.Should().Be("alice@local.test");
        bounce.Headers["Auto-Submitted"].Should().Be("auto-replied");
        var report = bounce.Body.Should().BeOfType<MultipartReport>().Subject;
        report.ReportType.Should().Be("delivery-status");
        var status = report.OfType<MessageDeliveryStatus>().Single();
        status.StatusGroups[0]["Reporting-MTA"].Should().Be("dns; mail.local.test");
        status.StatusGroups[0]["Original-Envelope-Id"].Should().Be("ENV-42");
        status.StatusGroups.Where(g => g.Count > 0).Should().HaveCount(2, "one per-message group and one group for the failed recipient only");
        var group = status.StatusGroups[1];
        group["Final-Recipient"].Should().Be("rfc822;nobody@remote.test");
        group["Original-Recipient"].Should().Be("rfc822;nobody@remote.test");
        group["Action"].Should().Be("failed");
        group["Status"].Should().Be("5.1.1");
        group["Diagnostic-Code"].Should().Contain("550 5.1.1 No such user");

        // RET=HDRS: only the header of the original comes back.
        var returned = report.Single(p => p.ContentType.IsMimeType("text", "rfc822-headers"));
        var headerText = returned.ToString();
        headerText.Should().Contain("Subject: Quarterly report").And.NotContain("Hi there.");
        (await _queue.ListAsync(CancellationToken.None)).Should().BeEmpty();
    }

    [Fact]
    public async Task Expiry_gives_up_after_the_maximum_age_and_bounces_with_status_4_4_7()
    {
        _receiver.RcptReply = _ => "452 4.2.2 Mailbox full";
        await EnqueueAsync(Message(), "alice@local.test", new OutboundRecipient("bob@remote.test"));

        var rounds = 0;
        while ((await _queue.ListAsync(CancellationToken.None)).Count > 0 && rounds++ < 100)
        {
            await RunAsync();
            if (await _queue.NextDueAsync(CancellationToken.None) is { } next && next > _time.GetUtcNow())
            {
                _time.Advance(next - _time.GetUtcNow());
            }
        }

        (await _queue.ListAsync(CancellationToken.None)).Should().BeEmpty();
        _time.GetUtcNow().Should().Be(new DateTimeOffset(2026, 3, 6, 12, 0, 0, TimeSpan.Zero), "the last attempt falls on the expiry time");
        rounds.Should().BeInRange(30, 40, "5 min doubling to 4 h over 5 days");
        var bounce = MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(_local.Delivered.Should().ContainSingle().Subject.Content)));
        var group = ((MultipartReport)bounce.Body!).OfType<MessageDeliveryStatus>().Single().StatusGroups[1];
        group["Status"].Should().Be("4.4.7");
        group["Action"].Should().Be("failed");
        group["Diagnostic-Code"].Should().Contain("452 4.2.2");
    }

    [Fact]
    public async Task A_null_MX_fails_permanently_and_a_null_sender_gets_no_bounce()
    {
        _dns.Mx["nomail.test"] = [new DnsMxRecord(0, ".")];
        await EnqueueAsync(Message(), null, new OutboundRecipient("x@nomail.test"));
        await EnqueueAsync(Message(), "alice@local.test", new OutboundRecipient("y@nomail.test"));

        await RunAsync();

        (await _queue.ListAsync(CancellationToken.None)).Should().BeEmpty();
        var text = _local.Delivered.Should().ContainSingle().Subject.Content;
        text.Should().Contain("Final-Recipient: rfc822;y@nomail.test").And.Contain("Status: 5.1.10").And.NotContain("x@nomail.test");
    }

    [Fact]
    public async Task MX_hosts_are_tried_in_preference_order_and_an_unresolvable_one_is_skipped()
    {
        _options.MxPort = _receiver.Port;
        _dns.Mx["mx.test"] = [new DnsMxRecord(20, "backup.mx.test"), new DnsMxRecord(5, "gone.mx.test")];
        _dns.Addresses["backup.mx.test"] = [IPAddress.Loopback];

        await EnqueueAsync(Message(), "alice@local.test", new OutboundRecipient("bob@mx.test"));
        await RunAsync();

        _receiver.Transactions.Should().ContainSingle().Which.Recipients.Should().Equal("bob@mx.test");
    }

    [Fact]
    public async Task A_domain_without_MX_uses_its_address_records_and_one_without_either_bounces()
    {
        _options.MxPort = _receiver.Port;
        _dns.Addresses["implicit.test"] = [IPAddress.Loopback];
        _dns.Txt["bare.test"] = ["v=spf1 -all"];

        await EnqueueAsync(Message(), "alice@local.test", new OutboundRecipient("bob@implicit.test"), new OutboundRecipient("eve@bare.test"), new OutboundRecipient("zed@missing.test"));
        await RunAsync();

        _receiver.Transactions.Should().ContainSingle().Which.Recipients.Should().Equal("bob@implicit.test");
        var text = _local.Delivered.Should().ContainSingle().Subject.Content;
        text.Should().Contain("rfc822;eve@bare.test").And.Contain("rfc822;zed@missing.test");
        (await _queue.ListAsync(CancellationToken.None)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_DNS_failure_is_temporary()
    {
        _dns.Failing.Add("flaky.test");
        var id = await EnqueueAsync(Message(), "alice@local.test", new OutboundRecipient("bob@flaky.test"));
        await RunAsync();
        var recipient = (await _queue.GetAsync(id, CancellationToken.None))!.Recipients[0];
        recipient.State.Should().Be(QueueRecipientState.Pending);
        recipient.LastReply.Should().StartWith("451 4.4.3");
    }

    [Fact]
    public async Task Several_domains_in_one_message_each_get_their_own_transaction_and_DSN_parameters_travel_on()
    {
        await EnqueueAsync(
            Message(),
            "alice@local.test",
            new OutboundRecipient("bob@remote.test"),
            new OutboundRecipient("dora@second.test", SmtpDsnNotify.Success | SmtpDsnNotify.Failure));

        await RunAsync();

        _receiver.Transactions.Should().ContainSingle().Which.Recipients.Should().Equal("bob@remote.test");
        var second = _second.Transactions.Should().ContainSingle().Subject;
        second.Recipients.Should().Equal("dora@second.test");

        // The second receiver offers DSN (RFC 3461): ENVID, RET and NOTIFY are passed on, so no "relayed" notice here.
        second.MailFrom.Should().Contain("ENVID=ENV-42").And.Contain("RET=HDRS");
        second.RcptCommands.Single().Should().Contain("NOTIFY=SUCCESS,FAILURE");
        _local.Delivered.Should().BeEmpty();
    }

    [Fact]
    public async Task NOTIFY_SUCCESS_to_a_next_hop_without_DSN_gives_a_relayed_notice_and_NOTIFY_NEVER_no_bounce()
    {
        _receiver.RcptReply = a => a.StartsWith("gone", StringComparison.Ordinal) ? "550 5.1.1 gone" : "250 OK";
        await EnqueueAsync(Message(), "alice@local.test", new OutboundRecipient("bob@remote.test", SmtpDsnNotify.Success), new OutboundRecipient("gone@remote.test", SmtpDsnNotify.Never));

        await RunAsync();

        var text = _local.Delivered.Should().ContainSingle().Subject.Content;
        text.Should().Contain("Action: relayed").And.Contain("rfc822;bob@remote.test").And.NotContain("gone@remote.test");
    }

    [Fact]
    public async Task Queued_messages_wait_through_a_restart_and_are_delivered_after_it()
    {
        await EnqueueAsync(Message(), "alice@local.test", new OutboundRecipient("bob@remote.test"));
        await _queue.DisposeAsync();
        _queue = await SqliteOutboundQueueStore.OpenAsync(_directory.FullPath, _time, CancellationToken.None);

        (await RunAsync()).Should().Be(1);
        _receiver.Transactions.Should().ContainSingle();
        (await _queue.ListAsync(CancellationToken.None)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_connection_is_reused_for_the_next_message_to_the_same_destination()
    {
        for (var i = 0; i < 3; i++)
        {
            await EnqueueAsync(Message(subject: "n" + i), "alice@local.test", new OutboundRecipient("bob@remote.test"));
        }

        _options.MaxConcurrentMessages = 1;
        await RunAsync();

        _receiver.Transactions.Should().HaveCount(3);
        _receiver.Connections.Should().Be(1);
    }

    [Theory]
    [InlineData("mx.example:2525", "mx.example", 2525)]
    [InlineData("mx.example", "mx.example", 25)]
    [InlineData("[127.0.0.1]:2526", "127.0.0.1", 2526)]
    [InlineData("127.0.0.1:2527", "127.0.0.1", 2527)]
    public void Routes_parse_host_and_port(string text, string host, int port)
    {
        OutboundRouter.TryParseRoute(text, 25, out var parsed).Should().BeTrue();
        parsed.Name.Should().Be(host);
        parsed.Port.Should().Be(port);
    }

    [Theory]
    [InlineData("mx.example:0")]
    [InlineData("mx.example:99999")]
    [InlineData("[127.0.0.1")]
    [InlineData(":25")]
    public void Bad_routes_are_refused(string text) => OutboundRouter.TryParseRoute(text, 25, out _).Should().BeFalse();
}
