using System.Text;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.Storage;

namespace MailHost.IntegrationTests.Smtp;

/// <summary>BDAT (RFC 3030), SIZE (RFC 1870) enforced while streaming, recipient limits and quota (SECURITY B4, B5).</summary>
public sealed class SmtpChunkingAndLimitsTests
{
    private static async Task<LineClient> ReadyAsync(TestMailServer<MailHost.Smtp.SmtpConnectionHandler> server, string transaction = "MAIL FROM:<a@remote.example>\r\nRCPT TO:<alice@example.com>\r\n")
    {
        var client = await LineClient.ConnectAsync(server.EndPoint);
        await client.ReadLineAsync();
        await client.SendAsync("HELO c.example\r\n" + transaction);
        var lines = transaction.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length + 1;
        for (var i = 0; i < lines; i++)
        {
            (await client.ReadLineAsync()).Should().StartWith("250");
        }

        return client;
    }

    [Fact]
    public async Task Pipelined_BDAT_chunks_are_stored_byte_exact_including_bare_LF_and_dot_lines()
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world);
        await using var client = await ReadyAsync(server);
        var part1 = "Subject: chunks\r\n\r\n.first\n";
        var part2 = "\r\n.\r\nlast\r\n";

        await client.SendAsync($"BDAT {Encoding.UTF8.GetByteCount(part1)}\r\n{part1}BDAT {Encoding.UTF8.GetByteCount(part2)} LAST\r\n{part2}");

        (await client.ReadLineAsync()).Should().Be($"250 2.0.0 {part1.Length} octets received");
        (await client.ReadLineAsync()).Should().StartWith("250 2.0.0 OK: queued as");
        var stored = (await SmtpTestHost.InboxAsync(world.Store, "alice")).Should().ContainSingle().Subject;
        SmtpTestHost.WithoutTraceFields(stored, out _, out _).Should().Be(part1 + part2, "BDAT content is length-framed: no unstuffing, nothing changed");
    }

    [Fact]
    public async Task BDAT_without_a_transaction_is_refused_after_its_octets_are_read()
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        await client.ReadLineAsync();

        await client.SendAsync("HELO c.example\r\nBDAT 0 LAST\r\nBDAT 6\r\nNOOP\r\nNOOP\r\n");

        (await client.ReadLineAsync()).Should().StartWith("250");
        (await client.ReadLineAsync()).Should().Be("503 5.5.1 Send MAIL and RCPT first");
        (await client.ReadLineAsync()).Should().Be("503 5.5.1 Send MAIL and RCPT first");
        (await client.ReadLineAsync()).Should().Be("250 2.0.0 OK", "the six octets \"NOOP\\r\\n\" were chunk data, the second NOOP is a command");
    }

    [Theory]
    [InlineData("BDAT 18446744073709551616 LAST", "552 5.3.4 Message size exceeds fixed maximum message size")]
    [InlineData("BDAT -1", "501 5.5.4 Syntax: BDAT size [LAST]")]
    [InlineData("BDAT 2000 LAST", "552 5.3.4 Message size exceeds fixed maximum message size")]
    public async Task Unusable_BDAT_sizes_are_refused_and_the_connection_closed_SECURITY_B4(string command, string reply)
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world, smtp: o => o.MaxMessageSize = 1000);
        await using var client = await ReadyAsync(server);

        await client.SendAsync(command + "\r\n");

        (await client.ReadToEndAsync(TimeSpan.FromSeconds(10))).Should().Be(reply + "\r\n421 4.5.0 mx.example.com closing connection\r\n");
    }

    [Fact]
    public async Task BDAT_cut_off_by_the_end_of_the_connection_stores_nothing()
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world);
        await using (var client = await ReadyAsync(server))
        {
            await client.SendAsync("BDAT 10 LAST\r\n12345");
            client.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            (await client.ReadToEndAsync(TimeSpan.FromSeconds(10))).Should().BeEmpty();
        }

        await server.Logs.WaitForAsync(e => e.EventId.Id == 5006 && e.Message.Contains("BDAT", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        (await SmtpTestHost.InboxAsync(world.Store, "alice")).Should().BeEmpty();
    }

    [Fact]
    public async Task SIZE_is_advertised_checked_at_MAIL_and_enforced_while_streaming_DATA_and_BDAT()
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world, smtp: o => o.MaxMessageSize = 100);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        await client.ReadLineAsync();
        await client.SendAsync("EHLO c.example\r\n");
        (await SmtpMxTests.ReadReplyAsync(client)).Should().Contain("250-SIZE 100");

        await client.SendAsync("MAIL FROM:<a@remote.example> SIZE=101\r\n");
        (await client.ReadLineAsync()).Should().Be("552 5.3.4 Message size exceeds fixed maximum message size");

        await client.SendAsync("MAIL FROM:<a@remote.example> SIZE=50\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n");
        (await client.ReadLineAsync()).Should().StartWith("250");
        (await client.ReadLineAsync()).Should().StartWith("250");
        (await client.ReadLineAsync()).Should().StartWith("354");
        await client.SendAsync(new string('x', 150) + "\r\n.\r\n");
        (await client.ReadLineAsync()).Should().Be("552 5.3.4 Message size exceeds fixed maximum message size");

        await client.SendAsync("MAIL FROM:<a@remote.example>\r\nRCPT TO:<alice@example.com>\r\nBDAT 60\r\n" + new string('y', 60) + "BDAT 60 LAST\r\n" + new string('z', 60) + "NOOP\r\n");
        (await client.ReadLineAsync()).Should().StartWith("250");
        (await client.ReadLineAsync()).Should().StartWith("250");
        (await client.ReadLineAsync()).Should().Be("250 2.0.0 60 octets received");
        (await client.ReadLineAsync()).Should().Be("552 5.3.4 Message size exceeds fixed maximum message size");
        (await client.ReadLineAsync()).Should().Be("250 2.0.0 OK");
        (await SmtpTestHost.InboxAsync(world.Store, "alice")).Should().BeEmpty();
    }

    [Fact]
    public async Task Recipients_beyond_the_limit_get_452_4_5_3()
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world, smtp: o => o.MaxRecipients = 2);
        await using var client = await ReadyAsync(server, "MAIL FROM:<a@remote.example>\r\nRCPT TO:<alice@example.com>\r\nRCPT TO:<bob@example.com>\r\n");

        await client.SendAsync("RCPT TO:<alice@example.com>\r\n");

        (await client.ReadLineAsync()).Should().Be("452 4.5.3 Too many recipients");
    }

    [Fact]
    public async Task A_full_mailbox_gets_452_at_RCPT_and_a_quota_failure_at_delivery_is_never_250()
    {
        var world = new MailWorld();
        await world.DeliverAsync("alice", MailWorld.Message(1));
        (await world.Store.SetQuotaLimitsAsync("alice", new QuotaLimits(null, 1), CancellationToken.None)).IsSuccess.Should().BeTrue();
        await using var server = await SmtpTestHost.StartAsync(world);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        await client.ReadLineAsync();

        await client.SendAsync("HELO c.example\r\nMAIL FROM:<a@remote.example>\r\nRCPT TO:<alice@example.com>\r\n");

        (await client.ReadLineAsync()).Should().StartWith("250");
        (await client.ReadLineAsync()).Should().StartWith("250");
        (await client.ReadLineAsync()).Should().Be("452 4.2.2 Mailbox full");
        (await SmtpTestHost.InboxAsync(world.Store, "alice")).Should().ContainSingle();
    }
}
