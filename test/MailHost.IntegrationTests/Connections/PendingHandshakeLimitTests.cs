using System.Net;
using MailHost.Hosting;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.IntegrationTests.Smtp;

namespace MailHost.IntegrationTests.Connections;

/// <summary>
/// The TLS handshake limit counts only handshakes really in progress (a complete ClientHello until the handshake
/// ends), per client first and then per endpoint: sockets that send a lone <c>0x16</c> or go silent after STARTTLS hold
/// no place, and one source (127.0.0.2 here) cannot take the places another (127.0.0.3) needs.
/// </summary>
public sealed class PendingHandshakeLimitTests
{
    private static readonly IPAddress Attacker = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress Honest = IPAddress.Parse("127.0.0.3");

    [Fact]
    public async Task Sockets_that_send_a_lone_0x16_do_not_keep_a_plain_client_from_its_greeting()
    {
        await using var server = await TestMailServer<LineProtocolHandler>.StartAsync(o =>
        {
            o.Tls = MailTlsMode.Auto;
            o.TlsDetectionTimeout = TimeSpan.FromMilliseconds(300);
            o.MaxPendingTlsHandshakes = 5;
            o.MaxPendingTlsHandshakesPerAddress = 0;
            o.MaxConnectionsPerAddress = 0;
        });
        var attackers = new List<LineClient>();
        try
        {
            for (var i = 0; i < 20; i++)
            {
                var socket = await LineClient.ConnectFromAsync(server.EndPoint, Attacker);
                attackers.Add(socket);
                await socket.SendRawAsync([0x16]);
            }

            await server.Logs.WaitForCountAsync(e => e.EventId.Id == 1000, 20, TimeSpan.FromSeconds(10));

            await using var plain = await LineClient.ConnectFromAsync(server.EndPoint, Honest);
            (await plain.ReadLineAsync()).Should().Be("* OK test ready tls=False");
            server.Logs.Entries.Should().NotContain(e => e.EventId.Id == 1034 || e.EventId.Id == 1037, "nobody was in a handshake");
        }
        finally
        {
            foreach (var socket in attackers)
            {
                await socket.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_lone_0x16_is_cut_at_the_ClientHello_deadline_not_the_handshake_deadline()
    {
        await using var server = await TestMailServer<LineProtocolHandler>.StartAsync(o =>
        {
            o.Tls = MailTlsMode.Auto;
            o.TlsDetectionTimeout = TimeSpan.FromSeconds(5);
            o.TlsClientHelloTimeout = TimeSpan.FromMilliseconds(500);
            o.TlsHandshakeTimeout = TimeSpan.FromSeconds(60);
        });
        await using var socket = await LineClient.ConnectFromAsync(server.EndPoint, Attacker);
        await socket.SendRawAsync([0x16]);

        (await socket.ReadToEndAsync(TimeSpan.FromSeconds(20))).Should().BeEmpty("the connection is closed well before the 60 s handshake deadline");
        (await server.Logs.WaitForAsync(e => e.EventId.Id == 1032, TimeSpan.FromSeconds(5))).Message.Should().Contain("ClientHello deadline");
    }

    [Fact]
    public async Task One_address_with_stalled_handshakes_cannot_take_every_place()
    {
        await using var server = await TestMailServer<LineProtocolHandler>.StartAsync(o =>
        {
            o.Tls = MailTlsMode.Implicit;
            o.MaxPendingTlsHandshakes = 4;
            o.MaxPendingTlsHandshakesPerAddress = 2;
        });
        var attackers = new List<LineClient>();
        try
        {
            var admitted = new List<bool>();
            for (var i = 0; i < 4; i++)
            {
                var socket = await LineClient.ConnectFromAsync(server.EndPoint, Attacker);
                attackers.Add(socket);
                admitted.Add(await StalledTlsHandshake.StartAsync(socket));
            }

            admitted.Should().Equal([true, true, false, false], "one address gets two of the four places");
            server.Logs.Entries.Count(e => e.EventId.Id == 1037).Should().Be(2);

            await using var honest = await LineClient.ConnectFromAsync(server.EndPoint, Honest);
            await honest.StartTlsAsync();
            (await honest.ReadLineAsync()).Should().Be("* OK test ready tls=True");
        }
        finally
        {
            foreach (var socket in attackers)
            {
                await socket.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task STARTTLS_then_silence_holds_no_place_and_another_MTA_still_gets_TLS()
    {
        await using var server = await SmtpTestHost.StartAsync(new MailWorld(), endpoint: o => o.MaxPendingTlsHandshakes = 2);
        var silent = new List<LineClient>();
        try
        {
            for (var i = 0; i < 5; i++)
            {
                var session = await OpenSmtpAsync(server, Attacker);
                silent.Add(session);
                await session.SendAsync("STARTTLS\r\n");
                (await session.ReadLineAsync()).Should().StartWith("220 2.0.0", "a client that has not sent its ClientHello holds no place");
            }

            await using var mta = await OpenSmtpAsync(server, Honest);
            await mta.SendAsync("STARTTLS\r\n");
            (await mta.ReadLineAsync()).Should().StartWith("220 2.0.0");
            await mta.StartTlsAsync();
            await EhloAsync(mta);
        }
        finally
        {
            foreach (var session in silent)
            {
                await session.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task STARTTLS_handshakes_stalled_from_one_address_leave_room_for_another()
    {
        await using var server = await SmtpTestHost.StartAsync(new MailWorld(), endpoint: o =>
        {
            o.MaxPendingTlsHandshakes = 4;
            o.MaxPendingTlsHandshakesPerAddress = 2;
        });
        var stalled = new List<LineClient>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                var session = await OpenSmtpAsync(server, Attacker);
                stalled.Add(session);
                await session.SendAsync("STARTTLS\r\n");
                (await session.ReadLineAsync()).Should().StartWith("220 2.0.0");
                (await StalledTlsHandshake.StartAsync(session)).Should().BeTrue();
            }

            var third = await OpenSmtpAsync(server, Attacker);
            stalled.Add(third);
            await third.SendAsync("STARTTLS\r\n");
            (await third.ReadLineAsync()).Should().Be("454 4.7.0 TLS not available due to temporary reason", "the address has its two places");

            await using var mta = await OpenSmtpAsync(server, Honest);
            await mta.SendAsync("STARTTLS\r\n");
            (await mta.ReadLineAsync()).Should().StartWith("220 2.0.0");
            await mta.StartTlsAsync();
            await EhloAsync(mta);
        }
        finally
        {
            foreach (var session in stalled)
            {
                await session.DisposeAsync();
            }
        }
    }

    private static async Task<LineClient> OpenSmtpAsync<THandler>(TestMailServer<THandler> server, IPAddress source)
        where THandler : Microsoft.AspNetCore.Connections.ConnectionHandler
    {
        var client = await LineClient.ConnectFromAsync(server.EndPoint, source);
        (await client.ReadLineAsync()).Should().StartWith("220 ");
        await EhloAsync(client);
        return client;
    }

    private static async Task EhloAsync(LineClient client)
    {
        await client.SendAsync("EHLO client.example\r\n");
        string? line;
        do
        {
            line = await client.ReadLineAsync();
            line.Should().NotBeNull().And.StartWith("250");
        }
        while (!line.StartsWith("250 ", StringComparison.Ordinal));
    }
}
