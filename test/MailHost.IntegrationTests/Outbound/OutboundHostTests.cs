using System.Text;
using MailHost.Delivery;
using MailHost.Delivery.Queue;
using MailHost.Hosting;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.IntegrationTests.Smtp;
using MailHost.Storage;
using MailHost.Tests.Delivery;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace MailHost.IntegrationTests.Outbound;

/// <summary>
/// Outbound delivery through the real host: mail submitted to one MailHost instance reaches another over SMTP
/// through the route map, refusals come back as RFC 3464 notifications, and the MX endpoint still never relays.
/// </summary>
public sealed class OutboundHostTests
{
    private const string LocalDomain = "example.com";

    /// <summary>Fast retries and polls: a test never waits for a default interval.</summary>
    private static readonly string[] FastOutbound =
    [
        "--MailHost:Outbound:RetryInitialDelay=00:00:00.200",
        "--MailHost:Outbound:RetryMaxDelay=00:00:01",
        "--MailHost:Outbound:PollInterval=00:00:05",
        "--MailHost:Outbound:CommandTimeout=00:00:20",
        "--MailHost:Outbound:LeaseDuration=00:01:00",
    ];

    /// <summary>The receiving side: remote.example (bob) and other.example (dave).</summary>
    private static async Task<MailHostInstance> StartRemoteAsync()
        => await MailHostInstance.StartAsync(
            await MailHostInstance.PrepareAsync(["remote.example", "other.example"], "bob@remote.example", "dave@other.example"),
            "mx.remote.example",
            "--MailHost:Outbound:Enabled=false");

    /// <summary>The sending side: example.com (alice, carol), routing remote.example and other.example to <paramref name="remote"/>.</summary>
    private static async Task<MailHostInstance> StartLocalAsync(MailHostInstance remote, params string[] extra)
        => await MailHostInstance.StartAsync(
            await MailHostInstance.PrepareAsync([LocalDomain], "alice@example.com", "carol@example.com"),
            "mail.example.com",
            [
                "--MailHost:Outbound:Routes:remote.example=127.0.0.1:" + remote.Mx.Port,
                "--MailHost:Outbound:Routes:other.example=[127.0.0.1]:" + remote.Mx.Port,
                .. FastOutbound,
                .. extra,
            ]);

    private static MimeMessage Message(string subject, params string[] to)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("alice@example.com"));
        foreach (var address in to)
        {
            message.To.Add(MailboxAddress.Parse(address));
        }

        message.Subject = subject;
        message.MessageId = Guid.NewGuid().ToString("N") + "@example.com";
        message.Date = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var text = new TextPart("plain") { Text = "Hello Bob,\r\n.\r\n..two dots\r\n.x\r\nFrom the start of a line\r\nlast line" };
        var html = new TextPart("html") { Text = "<p>Hello <b>Bob</b></p>" };
        message.Body = new Multipart("alternative") { text, html };
        return message;
    }

    private static async Task<IOutboundQueueStore> QueueOfAsync(MailHostInstance host)
    {
        var queue = host.Services.GetService(typeof(IOutboundQueueStore)) as IOutboundQueueStore;
        queue.Should().NotBeNull("outbound delivery is registered");
        await Task.CompletedTask;
        return queue;
    }

    [Fact]
    public async Task A_submitted_message_reaches_the_remote_hosts_inbox_through_the_route_map_byte_for_byte()
    {
        await using var remote = await StartRemoteAsync();
        await using var local = await StartLocalAsync(remote);
        var message = Message("Across hosts", "bob@remote.example");

        await local.SubmitAsync("alice", message);
        var original = MailHostInstance.WireBytes(message);
        await local.WaitForDeliveryEventAsync(3003);

        var inbox = await SmtpTestHost.InboxAsync(remote.Services.GetRequiredService<IMailStore>(), "bob");
        var stored = inbox.Should().ContainSingle().Subject;
        var content = MailHostInstance.WithoutTraceFields(stored, out var fields);
        content.Should().Equal(original, "only the trace fields of the two hops are added in front");
        fields.Should().HaveCount(4);
        fields[0].Should().Be("Return-Path: <alice@example.com>\r\n");
        fields[1].Should().StartWith("Authentication-Results: mx.remote.example;", "the receiving MX records its checks")
            .And.Contain("dkim=none", "example.com has no DKIM key here, so nothing is signed");
        fields[2].Should().Contain("by mx.remote.example (MailHost) with ESMTPS", "the route uses STARTTLS when the next hop offers it")
            .And.Contain("for <bob@remote.example>");
        fields[3].Should().Contain("by mail.example.com (MailHost) with ESMTPSA", "the submission hop");
        (await (await QueueOfAsync(local)).ListAsync(CancellationToken.None)).Should().BeEmpty();
    }

    [Theory]
    [InlineData("rsa")]
    [InlineData("ed25519")]
    public async Task Mail_signed_with_a_key_from_domains_dkim_passes_SPF_DKIM_and_DMARC_at_the_receiving_host(string algorithm)
    {
        // The sender's domain publishes what an operator would: the record `domains dkim` printed, SPF for its
        // address, and a DMARC policy of reject (enforced by the receiver, so a failure would refuse the mail).
        var localData = await MailHostInstance.PrepareAsync([LocalDomain], "alice@example.com");
        var printed = await MailHostInstance.AdminAsync(localData.Path, "domains", "dkim", LocalDomain, "--algorithm", algorithm, "--selector", "s1");
        var record = printed.Split('\n').Single(l => l.Contains(" IN TXT ", StringComparison.Ordinal));
        var name = record[..record.IndexOf(". IN TXT ", StringComparison.Ordinal)];
        var text = string.Concat(record[(record.IndexOf(" IN TXT ", StringComparison.Ordinal) + 8)..].Trim()
            .Split('"', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var zone = new FakeDnsZone();
        zone.Txt[name] = [text];
        zone.Txt[LocalDomain] = ["v=spf1 ip4:127.0.0.1 -all"];
        zone.Txt["_dmarc." + LocalDomain] = ["v=DMARC1; p=reject"];

        await using var remote = await MailHostInstance.StartAsync(
            await MailHostInstance.PrepareAsync(["remote.example"], "bob@remote.example"),
            "mx.remote.example",
            zone,
            "--MailHost:Outbound:Enabled=false",
            "--MailHost:MailAuthentication:DmarcEnforcement=true");
        await using var local = await MailHostInstance.StartAsync(
            localData,
            "mail.example.com",
            ["--MailHost:Outbound:Routes:remote.example=127.0.0.1:" + remote.Mx.Port, .. FastOutbound]);

        await local.SubmitAsync("alice", Message("Signed", "bob@remote.example"));
        await local.WaitForDeliveryEventAsync(3003);

        var stored = (await SmtpTestHost.InboxAsync(remote.Services.GetRequiredService<IMailStore>(), "bob")).Should().ContainSingle().Subject;
        MailHostInstance.WithoutTraceFields(stored, out var fields);
        var results = fields.Should().ContainSingle(f => f.StartsWith("Authentication-Results: ", StringComparison.Ordinal)).Subject;
        results.Should().Contain("spf=pass").And.Contain("smtp.mailfrom=alice@example.com")
            .And.Contain("dkim=pass").And.Contain("header.d=example.com header.s=s1")
            .And.Contain("dmarc=pass").And.Contain("header.from=example.com");
        var signature = MimeMessage.Load(new MemoryStream(stored)).Headers[HeaderId.DkimSignature];
        signature.Should().Contain(algorithm == "rsa" ? "a=rsa-sha256" : "a=ed25519-sha256").And.Contain("s=s1");
    }

    [Fact]
    public async Task A_remote_refusal_bounces_a_delivery_status_notification_into_the_senders_inbox()
    {
        await using var remote = await StartRemoteAsync();
        await using var local = await StartLocalAsync(remote);

        await local.SubmitAsync("alice", Message("Will bounce", "nobody@remote.example"));
        await local.WaitForDeliveryEventAsync(3003);

        var inbox = await SmtpTestHost.InboxAsync(local.Services.GetRequiredService<IMailStore>(), "alice");
        var bounce = MimeMessage.Load(new MemoryStream(inbox.Should().ContainSingle().Subject));
        bounce.From.Mailboxes.Single().Address.Should().StartWith("MAILER-DAEMON@", "RFC 3464 notifications come from the mail system");
        bounce.To.Mailboxes.Single().Address.Should().Be("alice@example.com");
        var report = bounce.Body.Should().BeOfType<MultipartReport>().Subject;
        report.ReportType.Should().Be("delivery-status");
        var status = report.OfType<MessageDeliveryStatus>().Single();
        status.StatusGroups[0]["Reporting-MTA"].Should().Be("dns; mail.example.com");
        var recipient = status.StatusGroups.Single(g => g.Contains("Final-Recipient"));
        recipient["Final-Recipient"].Should().Be("rfc822;nobody@remote.example");
        recipient["Action"].Should().Be("failed");
        recipient["Status"].Should().MatchRegex(@"^5\.\d+\.\d+$").And.Be("5.1.1");
        recipient["Remote-MTA"].Should().Contain("127.0.0.1");
        recipient["Diagnostic-Code"].Should().Contain("550").And.Contain("Mailbox unavailable");
        (await SmtpTestHost.InboxAsync(remote.Services.GetRequiredService<IMailStore>(), "bob")).Should().BeEmpty();
    }

    [Fact]
    public async Task One_message_for_a_local_and_two_routed_domains_is_delivered_to_each()
    {
        await using var remote = await StartRemoteAsync();
        await using var local = await StartLocalAsync(remote);
        var message = Message("Three ways", "carol@example.com", "bob@remote.example", "dave@other.example");

        await local.SubmitAsync("alice", message);
        var original = MailHostInstance.WireBytes(message);
        await local.WaitForDeliveryEventAsync(3003);

        var carol = await SmtpTestHost.InboxAsync(local.Services.GetRequiredService<IMailStore>(), "carol");
        MailHostInstance.WithoutTraceFields(carol.Should().ContainSingle().Subject, out _).Should().Equal(original);
        var remoteStore = remote.Services.GetRequiredService<IMailStore>();
        foreach (var (account, address) in new[] { ("bob", "bob@remote.example"), ("dave", "dave@other.example") })
        {
            var stored = (await SmtpTestHost.InboxAsync(remoteStore, account)).Should().ContainSingle().Subject;
            MailHostInstance.WithoutTraceFields(stored, out var fields).Should().Equal(original);

            // One transaction per domain: each copy was received for its single recipient.
            fields[2].Should().Contain($"for <{address}>");
        }

        local.Logs.Entries.Count(e => e.Category == "MailHost.Delivery" && e.EventId.Id == 3001 && e.Message.Contains("Delivered", StringComparison.Ordinal))
            .Should().Be(2, "the local recipient is stored at submission, not queued");
    }

    [Fact]
    public async Task The_MX_endpoint_never_relays_even_with_outbound_delivery_registered_SECURITY_E1()
    {
        // Routed somewhere that must never be contacted: nothing may be queued in the first place.
        await using var local = await MailHostInstance.StartAsync(
            await MailHostInstance.PrepareAsync([LocalDomain], "alice@example.com"),
            "mail.example.com",
            ["--MailHost:Outbound:Routes:remote.example=127.0.0.1:9", .. FastOutbound]);
        local.Services.GetService(typeof(IOutboundMailDelivery)).Should().NotBeNull("the host registers outbound delivery by default");
        (string Recipient, string Expected)[] attempts =
        [
            ("<nobody@example.com>", "550 5.1.1 Mailbox unavailable"),
            ("<v@remote.example>", "554 5.7.1 Relay access denied"),
            ("<v@external.example>", "554 5.7.1 Relay access denied"),
            ("<v%remote.example@example.com>", "554 5.7.1 Relay access denied"),
            ("<@example.com:v@remote.example>", "554 5.7.1 Relay access denied"),
            ("<v@remote.example.>", "554 5.7.1 Relay access denied"),
            ("<\"v@remote.example\"@example.com>", "554 5.7.1 Relay access denied"),
            ("<v@[192.0.2.1]>", "554 5.7.1 Relay access denied"),
            ("<v!remote.example@example.com>", "554 5.7.1 Relay access denied"),
            ("<alice@[127.0.0.1]>", "554 5.7.1 Relay access denied"),
            ("<v@remote.example@example.com>", "501 5.1.3 Bad recipient address syntax"),
        ];

        foreach (var (recipient, expected) in attempts)
        {
            await using var client = await LineClient.ConnectAsync(local.Mx);
            (await client.ReadLineAsync()).Should().StartWith("220 ");
            await client.SendAsync($"EHLO client.example.net\r\nMAIL FROM:<v@remote.example>\r\nRCPT TO:{recipient}\r\nDATA\r\n");
            await SmtpMxTests.ReadReplyAsync(client);
            (await SmtpMxTests.ReadReplyAsync(client))[^1].Should().StartWith("250");
            (await SmtpMxTests.ReadReplyAsync(client))[^1].Should().Be(expected, recipient);
            (await SmtpMxTests.ReadReplyAsync(client))[^1].Should().Be("554 5.5.1 No valid recipients");
        }

        // SECURITY T19: submission without AUTH is refused before any recipient.
        await using (var client = await LineClient.ConnectAsync(local.Submission))
        {
            await client.StartTlsAsync();
            (await client.ReadLineAsync()).Should().StartWith("220 ");
            await client.SendAsync("EHLO client.example.net\r\nMAIL FROM:<alice@example.com>\r\n");
            await SmtpMxTests.ReadReplyAsync(client);
            (await SmtpMxTests.ReadReplyAsync(client))[^1].Should().Be("530 5.7.0 Authentication required");
        }

        (await (await QueueOfAsync(local)).ListAsync(CancellationToken.None)).Should().BeEmpty("nothing is queued for outbound delivery");
        local.Logs.Entries.Should().NotContain(e => e.Category.StartsWith("MailHost.Delivery", StringComparison.Ordinal) && e.EventId.Id == 3001);
    }

    [Fact]
    public async Task With_outbound_disabled_submission_refuses_other_domains_and_no_queue_exists()
    {
        await using var host = await MailHostInstance.StartAsync(
            await MailHostInstance.PrepareAsync([LocalDomain], "alice@example.com", "carol@example.com"),
            "mail.example.com",
            "--MailHost:Outbound:Enabled=false");

        host.Services.GetService(typeof(IOutboundMailDelivery)).Should().BeNull();
        var send = () => host.SubmitAsync("alice", Message("Nowhere", "bob@remote.example"));

        var refused = (await send.Should().ThrowAsync<SmtpCommandException>()).Which;
        refused.StatusCode.Should().Be(SmtpStatusCode.MailboxUnavailable);
        refused.Message.Should().Be("5.7.1 Relaying is not available on this server");
        await host.SubmitAsync("alice", Message("Local still works", "carol@example.com"));
        (await SmtpTestHost.InboxAsync(host.Services.GetRequiredService<IMailStore>(), "carol")).Should().ContainSingle();
        File.Exists(Path.Combine(host.DataDirectory, "queue.db")).Should().BeFalse();
    }

    [Theory]
    [InlineData("--MailHost:Outbound:Routes:remote.example=127.0.0.1:0", "MailHost:Outbound:Routes:remote.example: '127.0.0.1:0' is not a route.")]
    [InlineData("--MailHost:Outbound:SmartHost:Username=relay", "MailHost:Outbound:SmartHost:Host: missing.")]
    [InlineData("--MailHost:Outbound:Enabled=maybe", "MailHost:Outbound:Enabled: 'maybe' is not true or false.")]
    [InlineData("--MailHost:Outbound:PollInterval=often", "MailHost:Outbound:PollInterval: 'often' is not a time span")]
    public async Task Bad_outbound_configuration_stops_the_build_with_the_key_named(string setting, string expected)
    {
        using var data = await MailHostInstance.PrepareAsync([LocalDomain]);

        var build = () => Server.MailHostServer.Build(["--contentRoot=" + data.Path, "--MailHost:DataDirectory=" + data.Path, "--MailHost:Endpoints:Mx:Url=smtp://127.0.0.1:0", setting]);

        build.Should().Throw<MailHostConfigurationException>().Which.Message.Should().StartWith(expected);
    }

    [Fact]
    public async Task A_broken_queue_does_not_stop_the_host_and_delivery_resumes_once_it_is_repaired()
    {
        await using var remote = await StartRemoteAsync();
        var data = await MailHostInstance.PrepareAsync([LocalDomain], "alice@example.com", "carol@example.com");

        // A directory where the database file should be: every open of the queue fails.
        var queuePath = Path.Combine(data.Path, "queue.db");
        Directory.CreateDirectory(queuePath);
        await using var local = await MailHostInstance.StartAsync(
            data,
            "mail.example.com",
            ["--MailHost:Outbound:Routes:remote.example=127.0.0.1:" + remote.Mx.Port, .. FastOutbound, "--MailHost:Outbound:PollInterval=00:00:00.100"]);

        await local.Logs.WaitForAsync(e => e.EventId.Id == 3010 && e.Category.EndsWith("OutboundDeliveryWorker", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        var send = () => local.SubmitAsync("alice", Message("While broken", "bob@remote.example"));
        (await send.Should().ThrowAsync<SmtpCommandException>()).Which.StatusCode.Should().Be(SmtpStatusCode.ErrorInProcessing, "451: try again later");
        await local.SubmitAsync("alice", Message("Local mail still flows", "carol@example.com"));
        (await SmtpTestHost.InboxAsync(local.Services.GetRequiredService<IMailStore>(), "carol")).Should().ContainSingle();

        Directory.Delete(queuePath);
        await local.SubmitAsync("alice", Message("After the repair", "bob@remote.example"));
        await local.WaitForDeliveryEventAsync(3003);

        var delivered = (await SmtpTestHost.InboxAsync(remote.Services.GetRequiredService<IMailStore>(), "bob")).Should().ContainSingle().Subject;
        Encoding.UTF8.GetString(delivered).Should().Contain("Subject: After the repair");
    }

    [Fact]
    public async Task Mail_queued_while_the_next_hop_is_down_survives_a_restart_and_is_delivered_after_it()
    {
        await using var remote = await StartRemoteAsync();
        var data = await MailHostInstance.PrepareAsync([LocalDomain], "alice@example.com");
        using var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var deadPort = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();

        // First run: the route points at a closed port, so the message waits in the queue.
        await using (var first = await MailHostInstance.StartAsync(data, "mail.example.com", ["--MailHost:Outbound:Routes:remote.example=127.0.0.1:" + deadPort, .. FastOutbound, "--MailHost:Outbound:RetryInitialDelay=01:00:00", "--MailHost:Outbound:RetryMaxDelay=02:00:00"]))
        {
            first.OwnsData = false;
            await first.SubmitAsync("alice", Message("Queued across a restart", "bob@remote.example"));
            await first.WaitForDeliveryEventAsync(3001, "TemporaryFailure");
            await first.StopAsync();
            var queued = (await (await QueueOfAsync(first)).ListAsync(CancellationToken.None)).Should().ContainSingle().Subject;
            queued.LeaseOwner.Should().BeNull("the attempt ended and released its lease");
            queued.Recipients.Single().Attempts.Should().Be(1);
            queued.NextAttempt.Should().BeAfter(DateTimeOffset.UtcNow.AddMinutes(30), "the next try is an hour away");
        }

        // Second run over the same data directory, now with a working route; an operator's retry makes it due now.
        var retried = await RunAdminAsync(data.Path, "queue", "retry", "all");
        retried.Should().StartWith("1 message(s) due now");
        await using var second = await MailHostInstance.StartAsync(data, "mail.example.com", ["--MailHost:Outbound:Routes:remote.example=127.0.0.1:" + remote.Mx.Port, .. FastOutbound]);
        await second.WaitForDeliveryEventAsync(3003);

        var delivered = (await SmtpTestHost.InboxAsync(remote.Services.GetRequiredService<IMailStore>(), "bob")).Should().ContainSingle().Subject;
        Encoding.UTF8.GetString(delivered).Should().Contain("Subject: Queued across a restart");
    }

    private static async Task<string> RunAdminAsync(string dataDirectory, params string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["MailHost:DataDirectory"] = dataDirectory })
            .Build();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await Server.Admin.AdminCli.RunAsync(args, configuration, output, error, new StringReader(string.Empty), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        exit.Should().Be(0, error.ToString());
        return output.ToString();
    }
}
