using System.Text;
using MailHost.Hosting;
using MailHost.IntegrationTests.Imap;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.IntegrationTests.Smtp;

namespace MailHost.IntegrationTests.Faults;

/// <summary>
/// Connections cut at the TLS layer: after the ClientHello, in the middle of the handshake (on implicit-TLS ports and
/// after STARTTLS / STLS), and right after the client's <c>close_notify</c> (RFC 8446 §6.1) in the middle of a message
/// or a POP3 transaction. The handshake place is given back (the endpoint allows one handshake at a time, and the next
/// client gets it), the gauge returns to zero, nothing half-sent is stored and the POP3 maildrop is free again.
/// </summary>
public sealed class ConnectionCutTlsTests
{
    private static readonly TimeSpan FileWithin = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData("imaps", FaultCut.Reset)]
    [InlineData("imaps", FaultCut.Fin)]
    [InlineData("imap-starttls", FaultCut.Reset)]
    [InlineData("imap-starttls", FaultCut.Fin)]
    [InlineData("smtp-starttls", FaultCut.Reset)]
    [InlineData("pop3-stls", FaultCut.Fin)]
    public async Task A_handshake_cut_after_the_ClientHello_gives_its_place_back(string port, FaultCut cut)
    {
        using var observer = new FaultObserver();
        await using var host = await FaultMailHost.StartAsync(observer);
        var start = await StartAsync(host, port);

        var client = await LineClient.ConnectAsync(start.EndPoint);
        await start.BeforeTls(client);
        (await StalledTlsHandshake.StartAsync(client)).Should().BeTrue("the server answers the ClientHello: the handshake holds the endpoint's one place");
        await client.CutAsync(cut);
        await observer.ExpectNoConnectionsAsync(TimeSpan.FromSeconds(15));

        // The one place is free again: a real client completes its handshake and is served.
        await using (var honest = await LineClient.ConnectAsync(start.EndPoint))
        {
            await start.BeforeTls(honest);
            await honest.StartTlsAsync();
            await start.AfterTls(honest);
        }

        await host.ExpectCleanAfterCutAsync();
        await observer.ExpectCleanAsync();
    }

    [Fact]
    public async Task Close_notify_in_the_middle_of_an_APPEND_literal_stores_nothing()
    {
        using var observer = new FaultObserver();
        await using var host = await FaultMailHost.StartAsync(observer);
        await host.World.DeliverAsync("alice", MailWorld.Message(1));
        var before = await host.ReadInboxAsync();
        var server = await host.ImapAsync(MailTlsMode.Implicit);

        var client = await LineClient.ConnectAsync(server.EndPoint);
        var tls = await client.StartTlsAsync();
        (await client.ReadLineAsync()).Should().StartWith("* OK");
        (await client.CommandAsync("L1", "LOGIN alice " + MailWorld.AlicePassword))[^1].Should().StartWith("L1 OK");
        var message = Encoding.ASCII.GetBytes(ConnectionCutTests.BigMessage(256 * 1024));
        await client.SendAsync($"A1 APPEND INBOX {{{message.Length}}}\r\n");
        (await client.ReadLineAsync()).Should().StartWith("+ ");
        await client.SendRawAsync(message[..(message.Length / 2)]);
        await host.WaitForSpoolFileAsync(FileWithin);

        await tls.ShutdownAsync().WaitAsync(TimeSpan.FromSeconds(15));
        await client.DisposeAsync();

        await host.ExpectCleanAfterCutAsync();
        (await host.ReadInboxAsync()).Should().Be(before);
        await observer.ExpectCleanAsync();
    }

    [Fact]
    public async Task Close_notify_in_DATA_after_STARTTLS_stores_nothing()
    {
        using var observer = new FaultObserver();
        await using var host = await FaultMailHost.StartAsync(observer);
        var before = await host.ReadInboxAsync();
        var server = await host.SmtpAsync(MailTlsMode.StartTls);

        var client = await LineClient.ConnectAsync(server.EndPoint);
        (await client.ReadLineAsync()).Should().StartWith("220 ");
        await client.SendAsync("EHLO client.example.net\r\n");
        await SmtpMxTests.ReadReplyAsync(client);
        await client.SendAsync("STARTTLS\r\n");
        (await client.ReadLineAsync()).Should().StartWith("220 ");
        var tls = await client.StartTlsAsync();
        await client.SendAsync("EHLO client.example.net\r\n");
        await SmtpMxTests.ReadReplyAsync(client);
        await client.SendAsync("MAIL FROM:<sender@remote.example>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n");
        (await client.ReadLineAsync()).Should().StartWith("250 ");
        (await client.ReadLineAsync()).Should().StartWith("250 ");
        (await client.ReadLineAsync()).Should().StartWith("354 ");
        var message = ConnectionCutTests.BigMessage(64 * 1024);
        await client.SendAsync(message[..(message.Length / 2)]);
        await host.WaitForSpoolFileAsync(FileWithin);

        await tls.ShutdownAsync().WaitAsync(TimeSpan.FromSeconds(15));
        await client.DisposeAsync();

        await host.ExpectCleanAfterCutAsync();
        (await host.ReadInboxAsync()).Should().Be(before);
        await observer.ExpectCleanAsync();
    }

    [Fact]
    public async Task Close_notify_after_DELE_without_QUIT_deletes_nothing_and_frees_the_maildrop()
    {
        using var observer = new FaultObserver();
        await using var host = await FaultMailHost.StartAsync(observer);
        await host.World.DeliverAsync("alice", MailWorld.Message(1));
        await host.World.DeliverAsync("alice", MailWorld.Message(2));
        var before = await host.ReadInboxAsync();
        var server = await host.Pop3Async(MailTlsMode.Implicit);

        var client = await LineClient.ConnectAsync(server.EndPoint);
        var tls = await client.StartTlsAsync();
        (await client.ReadLineAsync()).Should().StartWith("+OK");
        await client.SendAsync("USER alice\r\nPASS " + MailWorld.AlicePassword + "\r\nDELE 1\r\nDELE 2\r\n");
        (await client.ReadLineAsync()).Should().StartWith("+OK");
        (await client.ReadLineAsync()).Should().StartWith("+OK Logged in; 2 messages");
        (await client.ReadLineAsync()).Should().Be("+OK Message 1 deleted");
        (await client.ReadLineAsync()).Should().Be("+OK Message 2 deleted");

        await tls.ShutdownAsync().WaitAsync(TimeSpan.FromSeconds(15));
        await client.DisposeAsync();

        await host.ExpectCleanAfterCutAsync();
        var plain = await host.Pop3Async();
        (await FaultMailHost.Pop3LoginAsync(plain, TimeSpan.FromSeconds(10))).Should().Be(2, "RFC 1939 §6: without QUIT there is no UPDATE state");
        (await host.ReadInboxAsync()).Should().Be(before);
        await observer.ExpectCleanAsync();
    }

    /// <summary>An endpoint allowing one TLS handshake at a time, and what a client says on it before and after TLS.</summary>
    private static async Task<TlsPort> StartAsync(FaultMailHost host, string port)
    {
        static void OnePlace(MailEndpointOptions o)
        {
            o.MaxPendingTlsHandshakes = 1;
            o.MaxPendingTlsHandshakesPerAddress = 1;
        }

        switch (port)
        {
            case "imaps":
                var imaps = await host.ImapAsync(MailTlsMode.Implicit, endpoint: OnePlace);
                return new TlsPort(imaps.EndPoint, _ => Task.CompletedTask, async c => (await c.ReadLineAsync()).Should().StartWith("* OK"));
            case "imap-starttls":
                var imap = await host.ImapAsync(MailTlsMode.StartTls, endpoint: OnePlace);
                return new TlsPort(
                    imap.EndPoint,
                    async c =>
                    {
                        (await c.ReadLineAsync()).Should().StartWith("* OK");
                        (await c.CommandAsync("S1", "STARTTLS"))[^1].Should().StartWith("S1 OK");
                    },
                    async c => (await c.CommandAsync("N1", "NOOP"))[^1].Should().StartWith("N1 OK"));
            case "smtp-starttls":
                var smtp = await host.SmtpAsync(MailTlsMode.StartTls, endpoint: OnePlace);
                return new TlsPort(
                    smtp.EndPoint,
                    async c =>
                    {
                        (await c.ReadLineAsync()).Should().StartWith("220 ");
                        await c.SendAsync("EHLO client.example.net\r\n");
                        await SmtpMxTests.ReadReplyAsync(c);
                        await c.SendAsync("STARTTLS\r\n");
                        (await c.ReadLineAsync()).Should().StartWith("220 ");
                    },
                    async c =>
                    {
                        await c.SendAsync("EHLO client.example.net\r\n");
                        (await SmtpMxTests.ReadReplyAsync(c)).Should().NotBeEmpty();
                    });
            case "pop3-stls":
                var pop3 = await host.Pop3Async(MailTlsMode.StartTls, endpoint: OnePlace);
                return new TlsPort(
                    pop3.EndPoint,
                    async c =>
                    {
                        (await c.ReadLineAsync()).Should().StartWith("+OK");
                        await c.SendAsync("STLS\r\n");
                        (await c.ReadLineAsync()).Should().StartWith("+OK");
                    },
                    async c =>
                    {
                        await c.SendAsync("CAPA\r\n");
                        (await c.ReadLineAsync()).Should().StartWith("+OK");
                    });
            default:
                throw new ArgumentOutOfRangeException(nameof(port), port, null);
        }
    }

    private sealed record TlsPort(System.Net.IPEndPoint EndPoint, Func<LineClient, Task> BeforeTls, Func<LineClient, Task> AfterTls);
}
