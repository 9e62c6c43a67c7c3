using System.Diagnostics;
using System.Text;
using MailHost.Hosting;
using MailHost.IntegrationTests.Imap;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.IntegrationTests.Pop3;
using MailHost.IntegrationTests.Smtp;
using MailHost.Smtp;

namespace MailHost.IntegrationTests.Connections;

/// <summary>
/// Issue 17 item 7: a client that sends a byte now and then (SECURITY F1). Deadlines cover a whole command line and
/// a whole DATA transfer or BDAT chunk (with a minimum rate), and an unauthenticated SMTP session has a time limit.
/// The drips are paced well inside the deadline, so a deadline per read would never end them.
/// </summary>
public sealed class SlowlorisTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan DripInterval = TimeSpan.FromMilliseconds(500);

    // The drips go on for 10 seconds; the server must end them long before.
    private const int Drips = 20;
    private static readonly TimeSpan CutWithin = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task An_SMTP_command_sent_one_byte_at_a_time_is_cut_at_the_command_deadline()
    {
        var name = Unique("SmtpDrip");
        using var metrics = new TimeoutMetrics(name);
        await using var server = await SmtpTestHost.StartAsync(new MailWorld(), smtp: o => o.CommandTimeout = Deadline, endpoint: o => o.Name = name);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        (await client.ReadLineAsync()).Should().StartWith("220 ");

        var (reply, elapsed) = await DripAsync(client, "NOOP keep me open please\r\n");

        reply.Should().Be("421 4.4.2 Timeout waiting for the client, closing connection");
        elapsed.Should().BeLessThan(CutWithin);
        metrics.Reasons.Should().Contain("command");
    }

    [Fact]
    public async Task A_DATA_trickle_is_cut_when_it_falls_below_the_minimum_rate_and_nothing_is_stored()
    {
        var world = new MailWorld();
        var name = Unique("SmtpData");
        using var metrics = new TimeoutMetrics(name);
        await using var server = await SmtpTestHost.StartAsync(world, smtp: o => o.DataTimeout = Deadline, endpoint: o => o.Name = name);
        await using var client = await OpenTransactionAsync(server);
        await client.SendAsync("DATA\r\n");
        (await client.ReadLineAsync()).Should().StartWith("354 ");

        var (reply, elapsed) = await DripAsync(client, "Subject: slow\r\n\r\nA message that never ends.\r\n");

        reply.Should().Be("421 4.4.2 Timeout waiting for the client, closing connection");
        elapsed.Should().BeLessThan(CutWithin);
        metrics.Reasons.Should().Contain("data");
        (await SmtpTestHost.InboxAsync(world.MailStore, "alice")).Should().BeEmpty();
    }

    [Fact]
    public async Task A_BDAT_chunk_trickle_is_cut_like_DATA()
    {
        var name = Unique("SmtpBdat");
        await using var server = await SmtpTestHost.StartAsync(new MailWorld(), smtp: o => o.DataTimeout = Deadline, endpoint: o => o.Name = name);
        await using var client = await OpenTransactionAsync(server);
        await client.SendAsync("BDAT 1000 LAST\r\n");

        var (reply, elapsed) = await DripAsync(client, "Subject: slow\r\n\r\nA chunk that never ends.\r\n");

        reply.Should().Be("421 4.4.2 Timeout waiting for the client, closing connection");
        elapsed.Should().BeLessThan(CutWithin);
    }

    [Fact]
    public async Task A_steady_DATA_transfer_longer_than_the_data_timeout_is_accepted()
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world, smtp: o =>
        {
            // Twice as long as the pause between the client's lines and more: a loaded test machine may stall the
            // client for a few hundred milliseconds without the transfer being any less steady.
            o.DataTimeout = TimeSpan.FromSeconds(2);
            o.MinDataRate = 500;
        });
        await using var client = await OpenTransactionAsync(server);
        await client.SendAsync("DATA\r\n");
        (await client.ReadLineAsync()).Should().StartWith("354 ");

        // 1,000 octets every 400 ms (2,500 octets/s) for 3.2 seconds: longer than the data timeout, faster than the rate.
        await client.SendAsync("Subject: steady\r\n\r\n");
        var line = new string('x', 998) + "\r\n";
        for (var i = 0; i < 8; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(400));
            await client.SendAsync(line);
        }

        await client.SendAsync(".\r\n");
        (await client.ReadLineAsync()).Should().StartWith("250 2.0.0 OK");
        (await SmtpTestHost.InboxAsync(world.MailStore, "alice")).Should().ContainSingle();
    }

    [Fact]
    public async Task The_session_time_limit_ends_a_long_MX_session_with_421()
    {
        var name = Unique("SmtpSession");
        using var metrics = new TimeoutMetrics(name);
        await using var server = await SmtpTestHost.StartAsync(new MailWorld(), smtp: o => o.SessionTimeLimit = Deadline, endpoint: o => o.Name = name);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        (await client.ReadLineAsync()).Should().StartWith("220 ");
        var started = Stopwatch.StartNew();

        // Every command is answered at once; only the session as a whole is too long.
        string? last = null;
        while (started.Elapsed < TimeSpan.FromSeconds(10))
        {
            await client.SendAsync("NOOP\r\n");
            last = await client.ReadLineAsync();
            if (last != "250 2.0.0 OK")
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(300));
        }

        last.Should().Be("421 4.4.2 Session time limit reached, closing connection");
        started.Elapsed.Should().BeLessThan(CutWithin);
        (await client.ReadToEndAsync(TimeSpan.FromSeconds(10))).Should().BeEmpty();
        metrics.Reasons.Should().Contain("session");
    }

    [Fact]
    public async Task An_authenticated_submission_session_outlives_the_session_time_limit()
    {
        await using var server = await SmtpTestHost.StartAsync(
            new MailWorld(),
            MailProtocol.Submission,
            MailTlsMode.None,
            allowPlaintext: true,
            smtp: o => o.SessionTimeLimit = TimeSpan.FromSeconds(1));
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        (await client.ReadLineAsync()).Should().StartWith("220 ");
        await client.SendAsync("EHLO client.example.net\r\n");
        await SmtpMxTests.ReadReplyAsync(client);
        await client.SendAsync("AUTH PLAIN AGFsaWNlAGFsaWNlLXB3\r\n");
        (await client.ReadLineAsync()).Should().StartWith("235 ");

        for (var i = 0; i < 8; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(300));
            await client.SendAsync("NOOP\r\n");
            (await client.ReadLineAsync()).Should().Be("250 2.0.0 OK");
        }

        await client.SendAsync("QUIT\r\n");
        (await client.ReadLineAsync()).Should().StartWith("221 ");
    }

    [Fact]
    public async Task IMAP_already_times_a_whole_command_so_a_drip_is_cut_at_the_idle_timeout()
    {
        await using var server = await ImapTestServer.StartAsync(new MailWorld(), MailTlsMode.None, endpoint: o => o.PreAuthenticationIdleTimeout = Deadline);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        (await client.ReadLineAsync()).Should().StartWith("* OK");

        var (reply, elapsed) = await DripAsync(client, "a NOOP keep me open please\r\n");

        reply.Should().Be("* BYE Autologout; idle for too long");
        elapsed.Should().BeLessThan(CutWithin);
    }

    [Fact]
    public async Task POP3_already_times_a_whole_command_so_a_drip_is_cut_at_the_idle_timeout()
    {
        await using var server = await Pop3SessionTests.StartAsync(new MailWorld(), MailTlsMode.None, endpoint: o => o.PreAuthenticationIdleTimeout = Deadline);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        (await client.ReadLineAsync()).Should().StartWith("+OK");

        var (reply, elapsed) = await DripAsync(client, "NOOP keep me open please\r\n");

        reply.Should().Be("-ERR Autologout; idle for too long");
        elapsed.Should().BeLessThan(CutWithin);
    }

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>An MX session past EHLO, MAIL and RCPT, ready for DATA or BDAT.</summary>
    private static async Task<LineClient> OpenTransactionAsync(TestMailServer<SmtpConnectionHandler> server)
    {
        var client = await LineClient.ConnectAsync(server.EndPoint);
        (await client.ReadLineAsync()).Should().StartWith("220 ");
        await client.SendAsync("EHLO client.example.net\r\n");
        await SmtpMxTests.ReadReplyAsync(client);
        await client.SendAsync("MAIL FROM:<sender@remote.example>\r\n");
        (await client.ReadLineAsync()).Should().StartWith("250 ");
        await client.SendAsync("RCPT TO:<alice@example.com>\r\n");
        (await client.ReadLineAsync()).Should().StartWith("250 ");
        return client;
    }

    /// <summary>
    /// Sends <paramref name="text"/> one byte every <see cref="DripInterval"/> (at most <see cref="Drips"/> of them)
    /// until the server answers; returns the answer and how long the drip had gone on.
    /// </summary>
    private static async Task<(string? Reply, TimeSpan Elapsed)> DripAsync(LineClient client, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        var answer = client.ReadLineAsync(TimeSpan.FromSeconds(30));
        var started = Stopwatch.StartNew();
        for (var i = 0; i < Drips && !answer.IsCompleted; i++)
        {
            try
            {
                await client.SendRawAsync([bytes[i % bytes.Length]]);
            }
            catch (IOException)
            {
                // The server closed the connection between two drips.
                break;
            }

            await Task.WhenAny(answer, Task.Delay(DripInterval));
        }

        var reply = await answer;
        return (reply, started.Elapsed);
    }
}
