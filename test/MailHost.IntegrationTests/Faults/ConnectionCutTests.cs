using System.Globalization;
using System.Text;
using MailHost.IntegrationTests.Imap;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.IntegrationTests.Smtp;
using MailHost.Smtp;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace MailHost.IntegrationTests.Faults;

/// <summary>
/// Connections cut (RST, or FIN) while a message is on its way in: in an APPEND literal (RFC 9051 §6.3.12), in DATA
/// before the final dot (RFC 5321 §4.1.1.4), inside a BDAT chunk (RFC 3030 §2). Nothing was acknowledged, so nothing
/// may be stored: the mailbox keeps its message count and UIDNEXT, the half message's spool file is gone, the
/// connection gauge is back to zero, no exception escaped a session, and the server goes on serving.
/// </summary>
public sealed class ConnectionCutTests
{
    private static readonly TimeSpan FileWithin = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData(FaultCut.Reset)]
    [InlineData(FaultCut.Fin)]
    public async Task A_connection_cut_in_the_middle_of_an_APPEND_literal_stores_nothing_and_leaves_no_spool_file(FaultCut cut)
    {
        using var observer = new FaultObserver();
        await using var host = await FaultMailHost.StartAsync(observer);
        await host.World.DeliverAsync("alice", MailWorld.Message(1));
        var before = await host.ReadInboxAsync();
        var server = await host.ImapAsync();

        var client = await ImapTestServer.LoginAsync(server);
        // Past the store's 64 KiB read chunk and its spool threshold: the first half reaches a spool file.
        var message = Encoding.ASCII.GetBytes(BigMessage(256 * 1024));
        await client.SendAsync($"A1 APPEND INBOX {{{message.Length}}}\r\n");
        (await client.ReadLineAsync()).Should().StartWith("+ ");
        await client.SendRawAsync(message[..(message.Length / 2)]);
        await host.WaitForSpoolFileAsync(FileWithin);
        await client.CutAsync(cut);

        await host.ExpectCleanAfterCutAsync();
        (await host.ReadInboxAsync()).Should().Be(before, "a message never acknowledged takes neither a place nor a UID");
        await using (var again = await ImapTestServer.LoginAsync(server))
        {
            var small = MailWorld.Message(2).ReplaceLineEndings("\r\n");
            await again.SendAsync($"A1 APPEND INBOX {{{small.Length}+}}\r\n{small}\r\n");
            (await again.ReadUntilTaggedAsync("A1"))[^1].Should().StartWith("A1 OK [APPENDUID ");
        }

        (await host.ReadInboxAsync()).Count.Should().Be(before.Count + 1, "the server still stores what it acknowledges");
        await observer.ExpectCleanAsync();
    }

    [Theory]
    [InlineData(FaultCut.Reset)]
    [InlineData(FaultCut.Fin)]
    public async Task A_connection_cut_in_DATA_before_the_final_dot_stores_nothing_and_leaves_no_spool_file(FaultCut cut)
    {
        using var observer = new FaultObserver();
        await using var host = await FaultMailHost.StartAsync(observer);
        await host.World.DeliverAsync("alice", MailWorld.Message(1));
        var before = await host.ReadInboxAsync();
        var server = await host.SmtpAsync();

        var client = await OpenTransactionAsync(server);
        await client.SendAsync("DATA\r\n");
        (await client.ReadLineAsync()).Should().StartWith("354 ");
        var message = BigMessage(64 * 1024);
        await client.SendAsync(message[..(message.Length / 2)]);
        await host.WaitForSpoolFileAsync(FileWithin);
        await client.CutAsync(cut);

        await host.ExpectCleanAfterCutAsync();
        (await host.ReadInboxAsync()).Should().Be(before);
        await ExpectSmtpServesAsync(host, server, before.Count);
        await observer.ExpectCleanAsync();
    }

    [Theory]
    [InlineData(FaultCut.Reset)]
    [InlineData(FaultCut.Fin)]
    public async Task A_connection_cut_inside_a_BDAT_chunk_stores_nothing_even_after_an_acknowledged_chunk(FaultCut cut)
    {
        using var observer = new FaultObserver();
        await using var host = await FaultMailHost.StartAsync(observer);
        await host.World.DeliverAsync("alice", MailWorld.Message(1));
        var before = await host.ReadInboxAsync();
        var server = await host.SmtpAsync();

        var client = await OpenTransactionAsync(server);
        var content = Encoding.ASCII.GetBytes(BigMessage(2000));

        // RFC 3030 §2: the 250 after a chunk acknowledges its octets, not the message; only the LAST chunk's reply does.
        await client.SendAsync("BDAT 1000\r\n");
        await client.SendRawAsync(content[..1000]);
        (await client.ReadLineAsync()).Should().Be("250 2.0.0 1000 octets received");
        await client.SendAsync("BDAT 1000 LAST\r\n");
        await client.SendRawAsync(content[1000..1500]);
        await host.WaitForSpoolFileAsync(FileWithin);
        await client.CutAsync(cut);

        await host.ExpectCleanAfterCutAsync();
        (await host.ReadInboxAsync()).Should().Be(before);
        await ExpectSmtpServesAsync(host, server, before.Count);
        await observer.ExpectCleanAsync();
    }

    /// <summary>A message of about <paramref name="size"/> octets in 78-character lines, CRLF-terminated.</summary>
    internal static string BigMessage(int size)
    {
        var text = new StringBuilder("From: bob@example.com\r\nTo: alice@example.com\r\nSubject: big\r\nMessage-ID: <big@example.com>\r\n\r\n");
        var line = 0;
        while (text.Length < size)
        {
            text.Append(line++.ToString("D8", CultureInfo.InvariantCulture)).Append(' ').Append('x', 67).Append("\r\n");
        }

        return text.ToString();
    }

    /// <summary>An MX session past EHLO, MAIL and RCPT, ready for DATA or BDAT.</summary>
    internal static async Task<LineClient> OpenTransactionAsync(TestMailServer<SmtpConnectionHandler> server)
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

    /// <summary>A MailKit client still gets a message delivered: the inbox grows by one.</summary>
    private static async Task ExpectSmtpServesAsync(FaultMailHost host, TestMailServer<SmtpConnectionHandler> server, int countBefore)
    {
        using (var smtp = new SmtpClient { Timeout = 15_000 })
        {
            await smtp.ConnectAsync("127.0.0.1", server.Port, SecureSocketOptions.None);
            using var message = MimeMessage.Load(new MemoryStream(Encoding.ASCII.GetBytes(MailWorld.Message(9).ReplaceLineEndings("\r\n"))));
            await smtp.SendAsync(message);
            await smtp.DisconnectAsync(true);
        }

        (await host.ReadInboxAsync()).Count.Should().Be(countBefore + 1);
    }
}
