using MailHost.Hosting;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.Smtp;

namespace MailHost.IntegrationTests.Smtp;

/// <summary>The MX endpoint over real sockets: transcripts of the RFC 5321 exchange, policy and storage.</summary>
public sealed class SmtpMxTests
{
    private static async Task<LineClient> ConnectAsync(TestMailServer<SmtpConnectionHandler> server, bool ehlo = true)
    {
        var client = await LineClient.ConnectAsync(server.EndPoint);
        (await client.ReadLineAsync()).Should().Be("220 " + SmtpTestHost.Hostname + " ESMTP MailHost ready");
        if (ehlo)
        {
            await client.SendAsync("EHLO client.example.net\r\n");
            await ReadReplyAsync(client);
        }

        return client;
    }

    /// <summary>Reads one (possibly multi-line) reply.</summary>
    internal static async Task<List<string>> ReadReplyAsync(LineClient client)
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await client.ReadLineAsync();
            line.Should().NotBeNull("the server must answer");
            lines.Add(line);
            if (line.Length < 4 || line[3] != '-')
            {
                return lines;
            }
        }
    }

    private static async Task<string> ReplyLineAsync(LineClient client) => (await ReadReplyAsync(client))[^1];

    [Fact]
    public async Task EHLO_lists_the_extensions_and_a_message_with_dot_lines_is_stored_with_trace_fields()
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world, tls: MailTlsMode.StartTls);
        await using var client = await ConnectAsync(server, ehlo: false);

        await client.SendAsync("EHLO client.example.net\r\n");
        var ehlo = await ReadReplyAsync(client);

        ehlo[0].Should().Be("250-" + SmtpTestHost.Hostname);
        ehlo.Select(l => l[4..]).Should().Contain(["PIPELINING", "SIZE 52428800", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES", "DSN", "CHUNKING", "BINARYMIME", "STARTTLS"]);
        ehlo.Should().NotContain(l => l.Contains("AUTH", StringComparison.Ordinal), "the MX endpoint does not authenticate");

        await client.SendAsync("MAIL FROM:<sender@remote.example>\r\n");
        (await ReplyLineAsync(client)).Should().Be("250 2.1.0 Sender OK");
        await client.SendAsync("RCPT TO:<Alice@Example.COM>\r\n");
        (await ReplyLineAsync(client)).Should().Be("250 2.1.5 Recipient OK");
        await client.SendAsync("DATA\r\n");
        (await ReplyLineAsync(client)).Should().Be("354 Start mail input; end with <CRLF>.<CRLF>");
        await client.SendAsync("Subject: dots\r\n\r\n..leading dot\r\n...\r\nend\r\n.\r\n");
        (await ReplyLineAsync(client)).Should().MatchRegex("^250 2.0.0 OK: queued as [0-9a-f]{16}$");
        await client.SendAsync("QUIT\r\n");
        (await ReplyLineAsync(client)).Should().Be("221 2.0.0 " + SmtpTestHost.Hostname + " closing connection");

        var inbox = await SmtpTestHost.InboxAsync(world.Store, "alice");
        inbox.Should().ContainSingle();
        var body = SmtpTestHost.WithoutTraceFields(inbox[0], out var returnPath, out var received);
        body.Should().Be("Subject: dots\r\n\r\n.leading dot\r\n..\r\nend\r\n");
        returnPath.Should().Be("Return-Path: <sender@remote.example>\r\n");
        received.Should().StartWith("Received: from client.example.net ([127.0.0.1])\r\n\tby mx.example.com (MailHost) with ESMTP\r\n\tid ")
            .And.Contain(" for <Alice@Example.COM>;\r\n\t");
    }

    [Fact]
    public async Task One_stored_copy_reaches_every_local_recipient_and_addresses_of_one_account_deliver_once()
    {
        var world = new MailWorld();
        world.Directory.AddAlias("bob", "postmaster@example.com");
        await using var server = await SmtpTestHost.StartAsync(world);
        await using var client = await ConnectAsync(server);

        await client.SendAsync("MAIL FROM:<>\r\nRCPT TO:<alice@example.com>\r\nRCPT TO:<alice+lists@example.com>\r\nRCPT TO:<bob@example.com>\r\nRCPT TO:<postmaster@example.com>\r\nDATA\r\n");
        (await ReplyLineAsync(client)).Should().StartWith("250 2.1.0");
        for (var i = 0; i < 4; i++)
        {
            (await ReplyLineAsync(client)).Should().Be("250 2.1.5 Recipient OK");
        }

        (await ReplyLineAsync(client)).Should().StartWith("354");
        await client.SendAsync("Subject: all\r\n\r\nhi\r\n.\r\n");
        (await ReplyLineAsync(client)).Should().StartWith("250 2.0.0");

        var alice = await SmtpTestHost.InboxAsync(world.Store, "alice");
        var bob = await SmtpTestHost.InboxAsync(world.Store, "bob");
        alice.Should().ContainSingle("two addresses of one account get one copy");
        bob.Should().ContainSingle("an alias delivers to its account once");
        alice[0].Should().Equal(bob[0]);
        SmtpTestHost.WithoutTraceFields(alice[0], out var returnPath, out var received).Should().Be("Subject: all\r\n\r\nhi\r\n");
        returnPath.Should().Be("Return-Path: <>\r\n");
        received.Should().NotContain(" for <");
    }

    [Theory]
    [InlineData("<nobody@example.com>", "550 5.1.1 Mailbox unavailable")]
    [InlineData("<v@external.example>", "554 5.7.1 Relay access denied")]
    [InlineData("<v%external.example@example.com>", "554 5.7.1 Relay access denied")]
    [InlineData("<@example.com:v@external.example>", "554 5.7.1 Relay access denied")]
    [InlineData("<v@external.example.>", "554 5.7.1 Relay access denied")]
    [InlineData("<\"v@external.example\"@example.com>", "554 5.7.1 Relay access denied")]
    [InlineData("<v@[192.0.2.1]>", "554 5.7.1 Relay access denied")]
    [InlineData("<v!external.example@example.com>", "554 5.7.1 Relay access denied")]
    [InlineData("<alice@[127.0.0.1]>", "554 5.7.1 Relay access denied")]
    [InlineData("<v@external.example@example.com>", "501 5.1.3 Bad recipient address syntax")]
    public async Task The_MX_endpoint_never_relays_SECURITY_E1(string recipient, string expected)
    {
        var world = new MailWorld();
        var outbound = new RecordingOutboundDelivery();
        await using var server = await SmtpTestHost.StartAsync(world, outbound: outbound);
        await using var client = await ConnectAsync(server);

        await client.SendAsync($"MAIL FROM:<a@remote.example>\r\nRCPT TO:{recipient}\r\nDATA\r\n");

        (await ReplyLineAsync(client)).Should().StartWith("250");
        (await ReplyLineAsync(client)).Should().Be(expected);
        (await ReplyLineAsync(client)).Should().Be("554 5.5.1 No valid recipients");
        outbound.Queued.Should().BeEmpty();
    }

    [Fact]
    public async Task The_source_route_of_a_local_recipient_is_ignored_and_the_address_case_does_not_matter()
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world);
        await using var client = await ConnectAsync(server);

        await client.SendAsync("MAIL FROM:<a@remote.example>\r\nRCPT TO:<@relay.example:alice@example.com>\r\nRCPT TO:<BOB@EXAMPLE.com>\r\n");

        (await ReplyLineAsync(client)).Should().StartWith("250");
        (await ReplyLineAsync(client)).Should().Be("250 2.1.5 Recipient OK");
        (await ReplyLineAsync(client)).Should().Be("250 2.1.5 Recipient OK");
    }

    [Fact]
    public async Task Commands_out_of_sequence_get_503_and_VRFY_EXPN_HELP_NOOP_RSET_answer()
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world, smtp: o => o.MaxErrors = 50);
        await using var client = await ConnectAsync(server, ehlo: false);

        var transcript = new (string Command, string Reply)[]
        {
            ("MAIL FROM:<a@b.example>", "503 5.5.1 Send EHLO or HELO first"),
            ("HELO client.example.net", "250 " + SmtpTestHost.Hostname),
            ("RCPT TO:<alice@example.com>", "503 5.5.1 Send MAIL first"),
            ("DATA", "503 5.5.1 Send MAIL and RCPT first"),
            ("MAIL FROM:<a@b.example>", "250 2.1.0 Sender OK"),
            ("MAIL FROM:<a@b.example>", "503 5.5.1 Nested MAIL command"),
            ("DATA", "554 5.5.1 No valid recipients"),
            ("VRFY alice", "252 2.5.0 Cannot VRFY user, but will accept mail and attempt delivery"),
            ("EXPN staff", "502 5.5.1 EXPN is not available"),
            ("HELP", "214 2.0.0 Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT HELP VRFY STARTTLS AUTH"),
            ("NOOP", "250 2.0.0 OK"),
            ("RSET", "250 2.0.0 Reset OK"),
            ("RCPT TO:<alice@example.com>", "503 5.5.1 Send MAIL first"),
            ("FROB", "500 5.5.1 Command unrecognized"),
            ("AUTH PLAIN", "502 5.5.1 Authentication is offered on the submission port"),
            ("GET / HTTP/1.1", "500 5.5.1 Command unrecognized"),
        };
        foreach (var (command, reply) in transcript)
        {
            await client.SendAsync(command + "\r\n");
            (await ReplyLineAsync(client)).Should().Be(reply, command);
        }
    }

    [Theory]
    [InlineData("GET / HTTP/1.1")]
    [InlineData("POST /form HTTP/1.1")]
    [InlineData("CONNECT example.com:443 HTTP/1.1")]
    public async Task An_HTTP_first_command_closes_the_connection_without_echo_SECURITY_A6(string requestLine)
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world);
        await using var client = await ConnectAsync(server, ehlo: false);

        await client.SendAsync(requestLine + "\r\nHost: victim.example\r\n\r\n<script>alert(1)</script>\r\n");
        var rest = await client.ReadToEndAsync(TimeSpan.FromSeconds(10));

        rest.Should().Be("221 2.7.0 This is a mail server; closing connection\r\n");
    }

    [Fact]
    public async Task Too_many_errors_close_the_connection()
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world, smtp: o => o.MaxErrors = 3);
        await using var client = await ConnectAsync(server);

        await client.SendAsync("X1\r\nX2\r\nX3\r\nNOOP\r\n");
        var rest = await client.ReadToEndAsync(TimeSpan.FromSeconds(10));

        rest.Should().Be("500 5.5.1 Command unrecognized\r\n500 5.5.1 Command unrecognized\r\n500 5.5.1 Command unrecognized\r\n421 4.7.0 Too many errors, closing connection\r\n");
    }

    [Fact]
    public async Task Unknown_recipients_are_rate_limited_per_client_across_connections()
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world, smtp: o => o.MaxUnknownRecipientsPerClient = 3);
        await using (var first = await ConnectAsync(server))
        {
            await first.SendAsync("MAIL FROM:<a@remote.example>\r\nRCPT TO:<n1@example.com>\r\nRCPT TO:<n2@example.com>\r\n");
            (await ReplyLineAsync(first)).Should().StartWith("250");
            (await ReplyLineAsync(first)).Should().Be("550 5.1.1 Mailbox unavailable");
            (await ReplyLineAsync(first)).Should().Be("550 5.1.1 Mailbox unavailable");
        }

        await using var second = await ConnectAsync(server);
        await second.SendAsync("MAIL FROM:<a@remote.example>\r\nRCPT TO:<n3@example.com>\r\nRCPT TO:<alice@example.com>\r\n");
        (await ReplyLineAsync(second)).Should().StartWith("250");
        (await ReplyLineAsync(second)).Should().Be("550 5.1.1 Mailbox unavailable");
        (await ReplyLineAsync(second)).Should().Be("450 4.7.1 Too many unknown recipients, try again later");
    }

    [Fact]
    public async Task A_connection_lost_during_DATA_stores_nothing()
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world);
        await using (var client = await ConnectAsync(server))
        {
            await client.SendAsync("MAIL FROM:<a@remote.example>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n");
            (await ReplyLineAsync(client)).Should().StartWith("250");
            (await ReplyLineAsync(client)).Should().StartWith("250");
            (await ReplyLineAsync(client)).Should().StartWith("354");
            await client.SendAsync("Subject: half\r\n\r\nonly half of it\r\n");
            client.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            (await client.ReadToEndAsync(TimeSpan.FromSeconds(10))).Should().BeEmpty();
        }

        await server.Logs.WaitForAsync(e => e.EventId.Id == 5006 && e.Message.Contains("during DATA", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        (await SmtpTestHost.InboxAsync(world.Store, "alice")).Should().BeEmpty();
    }

    [Fact]
    public async Task QUIT_sent_with_FIN_still_gets_221()
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world);
        await using var client = await ConnectAsync(server);

        client.Socket.Send("QUIT\r\n"u8);
        client.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);

        (await client.ReadToEndAsync(TimeSpan.FromSeconds(10))).Should().Be("221 2.0.0 " + SmtpTestHost.Hostname + " closing connection\r\n");
    }

    [Fact]
    public async Task A_message_with_too_many_Received_fields_is_a_loop()
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world, smtp: o => o.MaxReceivedHeaders = 3);
        await using var client = await ConnectAsync(server);

        await client.SendAsync("MAIL FROM:<a@remote.example>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n");
        await ReadReplyAsync(client);
        await ReadReplyAsync(client);
        await ReadReplyAsync(client);
        await client.SendAsync("Received: from a\r\nreceived: from b\r\n\tby c\r\nRECEIVED: from d\r\nSubject: loop\r\n\r\nReceived: in the body does not count\r\n.\r\n");

        (await ReplyLineAsync(client)).Should().Be("554 5.4.6 Too many Received header fields: mail loop");
        (await SmtpTestHost.InboxAsync(world.Store, "alice")).Should().BeEmpty();
    }

    [Fact]
    public async Task Content_sent_before_the_354_reply_closes_the_connection_SECURITY_B3()
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world);
        await using var client = await ConnectAsync(server);

        await client.SendAsync("MAIL FROM:<a@remote.example>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\nSubject: early\r\n\r\nbody\r\n.\r\n");
        var rest = await client.ReadToEndAsync(TimeSpan.FromSeconds(10));

        rest.Should().Be("250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n554 5.5.0 Message content sent before the 354 reply\r\n421 4.5.0 mx.example.com closing connection\r\n");
        (await SmtpTestHost.InboxAsync(world.Store, "alice")).Should().BeEmpty();
    }
}
