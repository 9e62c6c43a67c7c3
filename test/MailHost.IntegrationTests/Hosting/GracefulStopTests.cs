using System.Net.Sockets;
using System.Text;
using MailHost.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace MailHost.IntegrationTests.Hosting;

/// <summary>
/// Graceful stop of the real <c>mailhost</c> executable by SIGTERM: idle sessions get the protocol's shutdown reply
/// (IMAP BYE, RFC 9051 §7.1.5; SMTP 421, RFC 5321 §3.8; POP3 -ERR [SYS/TEMP], RFC 3206 §4), a transfer in progress
/// finishes within <c>MailHost:ShutdownTimeout</c> and is stored and acknowledged, one that does not is neither, and
/// the process exits with 0.
/// </summary>
public sealed class GracefulStopTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Reply = TimeSpan.FromSeconds(15);

    // The host exits within the shutdown timeout plus this.
    private static readonly TimeSpan ExitSlack = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Idle_sessions_get_the_shutdown_reply_new_connections_are_refused_and_the_host_exits_with_0()
    {
        using var data = await SiteAsync();
        await using var host = await StartAsync(data, TimeSpan.FromSeconds(10));
        await using var imap = await ConnectAsync(host, "Imap", "* OK");
        await using var pop3 = await ConnectAsync(host, "Pop3", "+OK");
        await using var smtp = await ConnectAsync(host, "Mx", "220 ");
        await imap.SendAsync("a1 LOGIN alice alice-pw\r\n");
        (await imap.ReadLineAsync(Reply)).Should().StartWith("a1 OK");
        await imap.SendAsync("a2 SELECT INBOX\r\na3 IDLE\r\n");
        await ReadUntilAsync(imap, "+ ");

        await host.TerminateAsync();

        (await ReadUntilAsync(imap, "* BYE")).Should().Be("* BYE [UNAVAILABLE] Server shutting down");
        (await pop3.ReadLineAsync(Reply)).Should().StartWith("-ERR [SYS/TEMP]");
        (await smtp.ReadLineAsync(Reply)).Should().StartWith("421 4.3.2");
        (await imap.ReadToEndAsync(Reply)).Should().BeEmpty("the connection closes after BYE");
        (await pop3.ReadToEndAsync(Reply)).Should().BeEmpty();
        (await smtp.ReadToEndAsync(Reply)).Should().BeEmpty();
        (await host.WaitForExitAsync(ExitSlack)).Should().BeTrue("idle sessions do not hold the stop up");
        host.ExitCode.Should().Be(0);
        host.Log.Should().Contain(l => l.Contains("3 idle sessions closed", StringComparison.Ordinal));
        host.Log.Should().NotContain(l => l.Contains("fail:", StringComparison.Ordinal) || l.Contains("crit:", StringComparison.Ordinal));

        var refused = async () =>
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(host.Endpoints["Mx"]).WaitAsync(Reply);
        };
        await refused.Should().ThrowAsync<SocketException>("nothing listens once the host stopped");
    }

    [Fact]
    public async Task A_connection_during_the_stop_is_refused_or_greeted_with_the_shutdown_reply()
    {
        using var data = await SiteAsync();
        await using var host = await StartAsync(data, TimeSpan.FromSeconds(10));
        await using var smtp = await ConnectAsync(host, "Mx", "220 ");
        await StartDataAsync(smtp);
        await smtp.SendAsync(Message("held open")[..20]);

        await host.TerminateAsync();
        await host.WaitForLogAsync("Stopping:", Reply);

        // The transfer keeps the host up; a newcomer is refused by the closed listener or, in the moment before
        // Kestrel closes it, greeted with 421 (RFC 5321 §3.1), never served.
        try
        {
            await using var late = await LineClient.ConnectAsync(host.Endpoints["Mx"]);
            (await late.ReadLineAsync(Reply) ?? "").Should().Match(l => l.Length == 0 || l.StartsWith("421 ", StringComparison.Ordinal));
        }
        catch (SocketException)
        {
            // Refused: the listener is closed.
        }
        catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
            // Reset: the connection reached the listener's backlog as it closed, and went with it.
        }

        await smtp.SendAsync(Message("held open")[20..] + ".\r\n");
        (await smtp.ReadLineAsync(Reply)).Should().StartWith("250 ");
        (await host.WaitForExitAsync(ExitSlack + TimeSpan.FromSeconds(10))).Should().BeTrue();
        host.ExitCode.Should().Be(0);
    }

    [Fact]
    public async Task An_SMTP_DATA_finished_within_the_deadline_is_acknowledged_and_stored()
    {
        using var data = await SiteAsync();
        var message = Message("finished after SIGTERM");
        await using (var host = await StartAsync(data, TimeSpan.FromSeconds(20)))
        {
            await using var smtp = await ConnectAsync(host, "Mx", "220 ");
            await StartDataAsync(smtp);
            await smtp.SendAsync(message[..(message.Length / 2)]);

            await host.TerminateAsync();
            await host.WaitForLogAsync("Stopping:", Reply);
            await smtp.SendAsync(message[(message.Length / 2)..] + ".\r\n");

            (await smtp.ReadLineAsync(Reply)).Should().StartWith("250 2.0.0", "the message is durable before the stop ends");
            (await smtp.ReadLineAsync(Reply)).Should().StartWith("421 4.3.2", "then the session is closed");
            (await host.WaitForExitAsync(TimeSpan.FromSeconds(20) + ExitSlack)).Should().BeTrue();
            host.ExitCode.Should().Be(0);
            host.Log.Should().Contain(l => l.Contains("1 transfers finished and acknowledged", StringComparison.Ordinal));
        }

        (await InboxAsync(data)).Should().ContainSingle().Which.Should().Contain("finished after SIGTERM");
    }

    [Fact]
    public async Task An_SMTP_DATA_not_finished_by_the_deadline_is_neither_acknowledged_nor_stored()
    {
        using var data = await SiteAsync();
        var deadline = TimeSpan.FromSeconds(2);
        var message = Message("never finished");
        await using (var host = await StartAsync(data, deadline))
        {
            await using var smtp = await ConnectAsync(host, "Mx", "220 ");
            await StartDataAsync(smtp);
            await smtp.SendAsync(message[..(message.Length / 2)]);

            await host.TerminateAsync();

            // The client goes silent: whatever the server sends, it is not 250, and it closes the connection.
            var rest = await smtp.ReadToEndAsync(deadline + ExitSlack);
            rest.Should().NotContain("250 ");
            (await host.WaitForExitAsync(deadline + ExitSlack)).Should().BeTrue("the deadline bounds the stop");
            host.ExitCode.Should().Be(0);
            host.Log.Should().Contain(l => l.Contains("1 cut unacknowledged at the deadline", StringComparison.Ordinal));
        }

        (await InboxAsync(data)).Should().BeEmpty("nothing half-received is stored");
    }

    [Fact]
    public async Task An_IMAP_APPEND_finished_within_the_deadline_is_answered_OK_and_stored()
    {
        using var data = await SiteAsync();
        var message = Message("appended after SIGTERM");
        var size = Encoding.ASCII.GetByteCount(message);
        await using (var host = await StartAsync(data, TimeSpan.FromSeconds(20)))
        {
            await using var imap = await ConnectAsync(host, "Imap", "* OK");
            await imap.SendAsync("a1 LOGIN alice alice-pw\r\n");
            (await imap.ReadLineAsync(Reply)).Should().StartWith("a1 OK");
            await imap.SendAsync($"a2 APPEND INBOX {{{size}}}\r\n");
            (await imap.ReadLineAsync(Reply)).Should().StartWith("+ ");
            await imap.SendAsync(message[..(size / 2)]);

            await host.TerminateAsync();
            await host.WaitForLogAsync("Stopping:", Reply);
            await imap.SendAsync(message[(size / 2)..] + "\r\n");

            (await ReadUntilAsync(imap, "a2 ")).Should().StartWith("a2 OK [APPENDUID ");
            (await imap.ReadLineAsync(Reply)).Should().Be("* BYE [UNAVAILABLE] Server shutting down");
            (await host.WaitForExitAsync(TimeSpan.FromSeconds(20) + ExitSlack)).Should().BeTrue();
            host.ExitCode.Should().Be(0);
        }

        (await InboxAsync(data)).Should().ContainSingle().Which.Should().Contain("appended after SIGTERM");
    }

    /// <summary>A data directory with example.com and alice (password alice-pw).</summary>
    private static async Task<TempDirectory> SiteAsync()
    {
        var data = new TempDirectory();
        (await MailhostProcess.AdminAsync(data.Path, "domains", "add", "example.com")).ExitCode.Should().Be(0);
        (await MailhostProcess.AdminAsync(data.Path, "users", "add", "alice", "--address", "alice@example.com", "--password", "alice-pw")).ExitCode.Should().Be(0);
        return data;
    }

    private Task<MailhostProcess> StartAsync(TempDirectory data, TimeSpan shutdownTimeout) => MailhostProcess.StartAsync(
        data.Path,
        [
            "--MailHost:Hostname=mx.example.com",
            "--MailHost:ShutdownTimeout=" + shutdownTimeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            "--MailHost:Auth:AllowPlaintextAuthentication=true",
            "--MailHost:Auth:Throttle:Enabled=false",
            "--MailHost:MailAuthentication:Enabled=false",
            "--MailHost:Outbound:Enabled=false",
            "--MailHost:Endpoints:Imap:Url=imap://127.0.0.1:0",
            "--MailHost:Endpoints:Imap:Tls=None",
            "--MailHost:Endpoints:Pop3:Url=pop3://127.0.0.1:0",
            "--MailHost:Endpoints:Pop3:Tls=None",
            "--MailHost:Endpoints:Mx:Url=smtp://127.0.0.1:0",
            "--MailHost:Endpoints:Mx:Tls=None",
        ],
        endpointCount: 3,
        output);

    private static async Task<LineClient> ConnectAsync(MailhostProcess host, string endpoint, string greeting)
    {
        var client = await LineClient.ConnectAsync(host.Endpoints[endpoint]);
        (await client.ReadLineAsync(Reply)).Should().StartWith(greeting);
        return client;
    }

    private static async Task StartDataAsync(LineClient smtp)
    {
        await smtp.SendAsync("EHLO client.example.org\r\n");
        await ReadUntilAsync(smtp, "250 ");
        await smtp.SendAsync("MAIL FROM:<bob@example.org>\r\n");
        (await smtp.ReadLineAsync(Reply)).Should().StartWith("250 ");
        await smtp.SendAsync("RCPT TO:<alice@example.com>\r\n");
        (await smtp.ReadLineAsync(Reply)).Should().StartWith("250 ");
        await smtp.SendAsync("DATA\r\n");
        (await smtp.ReadLineAsync(Reply)).Should().StartWith("354 ");
    }

    /// <summary>Reads lines until one starts with <paramref name="prefix"/>, and returns it.</summary>
    private static async Task<string> ReadUntilAsync(LineClient client, string prefix)
    {
        while (true)
        {
            var line = await client.ReadLineAsync(Reply);
            line.Should().NotBeNull("the server should send a line starting with {0}", prefix);
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }
        }
    }

    /// <summary>A message of a few KiB, so half of it is a real partial transfer.</summary>
    private static string Message(string subject)
    {
        var body = new StringBuilder();
        for (var i = 0; i < 100; i++)
        {
            body.Append("Line ").Append(i).Append(" of the message body, written while the server stops.\r\n");
        }

        return $"From: bob@example.org\r\nTo: alice@example.com\r\nSubject: {subject}\r\nMessage-ID: <{Guid.NewGuid():N}@example.org>\r\n\r\n{body}";
    }

    /// <summary>The messages in alice's INBOX, read over POP3 from the host started again on the same data directory.</summary>
    private async Task<List<string>> InboxAsync(TempDirectory data)
    {
        await using var host = await StartAsync(data, TimeSpan.FromSeconds(5));
        await using var pop3 = await ConnectAsync(host, "Pop3", "+OK");
        await pop3.SendAsync("USER alice\r\n");
        (await pop3.ReadLineAsync(Reply)).Should().StartWith("+OK");
        await pop3.SendAsync("PASS alice-pw\r\n");
        (await pop3.ReadLineAsync(Reply)).Should().StartWith("+OK");
        await pop3.SendAsync("STAT\r\n");
        var stat = (await pop3.ReadLineAsync(Reply))!.Split(' ');
        var messages = new List<string>();
        for (var n = 1; n <= int.Parse(stat[1], System.Globalization.CultureInfo.InvariantCulture); n++)
        {
            await pop3.SendAsync($"RETR {n}\r\n");
            (await pop3.ReadLineAsync(Reply)).Should().StartWith("+OK");
            var text = new StringBuilder();
            for (var line = await pop3.ReadLineAsync(Reply); line != "."; line = await pop3.ReadLineAsync(Reply))
            {
                text.Append(line).Append('\n');
            }

            messages.Add(text.ToString());
        }

        await pop3.SendAsync("QUIT\r\n");
        await host.TerminateAsync();
        (await host.WaitForExitAsync(ExitSlack)).Should().BeTrue();
        return messages;
    }
}
