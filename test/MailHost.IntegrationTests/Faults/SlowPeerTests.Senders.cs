using MailHost.Hosting;
using MailHost.IntegrationTests.Imap;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.IntegrationTests.Pop3;
using MailHost.IntegrationTests.Smtp;

namespace MailHost.IntegrationTests.Faults;

/// <summary>
/// Senders of one byte a second where <see cref="Connections.SlowlorisTests"/> does not look: inside an IMAP literal
/// (an APPEND's message, a LOGIN password), in a SASL response before login (SMTP submission, POP3), and a DATA
/// transfer that starts fast and then trickles. Each is cut by its configured deadline, nothing is stored, and the
/// spool and the gauge are clean afterwards.
/// </summary>
public sealed partial class SlowPeerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan OneBytePerSecond = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan CutWithin = TimeSpan.FromSeconds(6);
    private const int MaxDrips = 20;

    [Fact]
    public async Task An_APPEND_literal_sent_one_byte_a_second_is_cut_at_the_idle_timeout_and_nothing_is_stored()
    {
        using var observer = new FaultObserver();
        await using var host = await FaultMailHost.StartAsync(observer);
        var before = await host.ReadInboxAsync();
        var server = await host.ImapAsync(imap: o => o.AuthenticatedIdleTimeout = Deadline);
        await using var client = await ImapTestServer.LoginAsync(server);
        await client.SendAsync("A1 APPEND INBOX {1000}\r\n");
        (await client.ReadLineAsync()).Should().StartWith("+ ");

        var (reply, elapsed) = await FaultSlowPeer.DripAsync(client, ConnectionCutTests.BigMessage(1000), OneBytePerSecond, MaxDrips);

        // RFC 9051 §6.3.12: all of the message or none of it; no tagged response claims otherwise.
        reply.Should().Be("* BYE Autologout; idle for too long");
        elapsed.Should().BeLessThan(CutWithin);
        await host.ExpectCleanAfterCutAsync();
        (await host.ReadInboxAsync()).Should().Be(before);
        await observer.ExpectCleanAsync();
    }

    [Fact]
    public async Task A_LOGIN_password_literal_sent_one_byte_a_second_is_cut_at_the_pre_login_timeout()
    {
        using var observer = new FaultObserver();
        await using var host = await FaultMailHost.StartAsync(observer);
        var server = await host.ImapAsync(endpoint: o => o.PreAuthenticationIdleTimeout = Deadline);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        (await client.ReadLineAsync()).Should().StartWith("* OK");
        await client.SendAsync($"L1 LOGIN alice {{{MailWorld.AlicePassword.Length}}}\r\n");
        (await client.ReadLineAsync()).Should().StartWith("+ ");

        var (reply, elapsed) = await FaultSlowPeer.DripAsync(client, MailWorld.AlicePassword + "\r\n", OneBytePerSecond, MaxDrips);

        reply.Should().Be("* BYE Autologout; idle for too long");
        elapsed.Should().BeLessThan(CutWithin);
        await host.ExpectCleanAfterCutAsync();
        await observer.ExpectCleanAsync();
    }

    [Fact]
    public async Task An_SMTP_AUTH_response_sent_one_byte_a_second_is_cut_at_the_pre_login_timeout()
    {
        using var observer = new FaultObserver();
        var name = observer.Endpoint("SlowAuth");
        await using var server = await SmtpTestHost.StartAsync(
            new MailWorld(), MailProtocol.Submission, MailTlsMode.None, allowPlaintext: true, endpoint: o =>
            {
                o.Name = name;
                o.PreAuthenticationIdleTimeout = Deadline;
            });
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        (await client.ReadLineAsync()).Should().StartWith("220 ");
        await client.SendAsync("EHLO client.example.net\r\n");
        await SmtpMxTests.ReadReplyAsync(client);
        await client.SendAsync("AUTH PLAIN\r\n");
        (await client.ReadLineAsync()).Should().StartWith("334");

        var (reply, elapsed) = await FaultSlowPeer.DripAsync(client, "AGFsaWNlAGFsaWNlLXB3\r\n", OneBytePerSecond, MaxDrips);

        reply.Should().Be("421 4.4.2 Timeout waiting for the client, closing connection");
        elapsed.Should().BeLessThan(CutWithin);
        await observer.ExpectCleanAsync();
    }

    [Fact]
    public async Task A_POP3_AUTH_response_sent_one_byte_a_second_is_cut_at_the_pre_login_timeout()
    {
        using var observer = new FaultObserver();
        var name = observer.Endpoint("SlowPop3Auth");
        await using var server = await Pop3SessionTests.StartAsync(
            new MailWorld(), MailTlsMode.None, allowPlaintext: true, endpoint: o =>
            {
                o.Name = name;
                o.PreAuthenticationIdleTimeout = Deadline;
            });
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        (await client.ReadLineAsync()).Should().StartWith("+OK");
        await client.SendAsync("AUTH PLAIN\r\n");
        (await client.ReadLineAsync()).Should().StartWith("+");

        var (reply, elapsed) = await FaultSlowPeer.DripAsync(client, "AGFsaWNlAGFsaWNlLXB3\r\n", OneBytePerSecond, MaxDrips);

        reply.Should().Be("-ERR Autologout; idle for too long");
        elapsed.Should().BeLessThan(CutWithin);
        await observer.ExpectCleanAsync();
    }

    [Fact]
    public async Task A_DATA_transfer_that_starts_fast_and_then_trickles_is_cut_and_its_spool_file_removed()
    {
        using var observer = new FaultObserver();
        await using var host = await FaultMailHost.StartAsync(observer);
        var before = await host.ReadInboxAsync();
        var server = await host.SmtpAsync(smtp: o =>
        {
            o.DataTimeout = Deadline;
            o.MinDataRate = 500;
        });
        await using var client = await ConnectionCutTests.OpenTransactionAsync(server);
        await client.SendAsync("DATA\r\n");
        (await client.ReadLineAsync()).Should().StartWith("354 ");

        // 32 KiB at once earns credit at the minimum rate, but never more than the data timeout: the trickle after it
        // is cut about when a trickle from the start would have been.
        await client.SendAsync(ConnectionCutTests.BigMessage(32 * 1024));
        await host.WaitForSpoolFileAsync(TimeSpan.FromSeconds(15));
        var (reply, elapsed) = await FaultSlowPeer.DripAsync(client, "more of the same\r\n", OneBytePerSecond, MaxDrips);

        reply.Should().Be("421 4.4.2 Timeout waiting for the client, closing connection");
        elapsed.Should().BeLessThan(CutWithin);
        await host.ExpectCleanAfterCutAsync();
        (await host.ReadInboxAsync()).Should().Be(before);
        await observer.ExpectCleanAsync();
    }
}
