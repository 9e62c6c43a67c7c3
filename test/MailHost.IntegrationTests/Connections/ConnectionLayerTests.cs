using System.Net;
using System.Net.Sockets;
using System.Text;
using MailHost.Hosting;
using MailHost.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace MailHost.IntegrationTests.Connections;

/// <summary>PROXY protocol, network policy, limits, the trace and the log scope, over real sockets.</summary>
public sealed class ConnectionLayerTests
{
    [Fact]
    public async Task PROXY_v1_from_a_trusted_peer_sets_the_client_address()
    {
        await using var server = await TestMailServer<LineProtocolHandler>.StartAsync(o =>
        {
            o.Tls = MailTlsMode.None;
            o.ProxyProtocol = true;
            o.TrustedProxies.Add(IPNetwork.Parse("127.0.0.0/8"));
        });
        await using var client = await LineClient.ConnectAsync(server.EndPoint);

        await client.SendAsync("PROXY TCP4 192.0.2.7 198.51.100.1 5555 143\r\n");

        (await client.ReadLineAsync()).Should().Be("* OK test ready tls=False");
        await client.SendAsync("INFO\r\n");
        (await client.ReadLineAsync()).Should().StartWith("INFO remote=192.0.2.7:5555 local=198.51.100.1:143 ");
    }

    [Fact]
    public async Task PROXY_v2_from_a_trusted_peer_sets_the_client_address_and_the_policy_judges_it()
    {
        await using var server = await TestMailServer<LineProtocolHandler>.StartAsync(o =>
        {
            o.Tls = MailTlsMode.None;
            o.ProxyProtocol = true;
            o.TrustedProxies.Add(IPNetwork.Parse("127.0.0.1/32"));
            o.DeniedNetworks.Add(IPNetwork.Parse("203.0.113.0/24"));
        });

        await using (var allowed = await LineClient.ConnectAsync(server.EndPoint))
        {
            await allowed.SendRawAsync(ProxyV2(IPAddress.Parse("192.0.2.9"), 40000));
            (await allowed.ReadLineAsync()).Should().Be("* OK test ready tls=False");
            await allowed.SendAsync("INFO\r\n");
            (await allowed.ReadLineAsync()).Should().StartWith("INFO remote=192.0.2.9:40000 ");
        }

        await using var denied = await LineClient.ConnectAsync(server.EndPoint);
        await denied.SendRawAsync(ProxyV2(IPAddress.Parse("203.0.113.5"), 40001));
        (await denied.ReadToEndAsync(TimeSpan.FromSeconds(10))).Should().Be("* BYE [UNAVAILABLE] Access denied\r\n");
    }

    [Fact]
    public async Task PROXY_header_from_an_untrusted_peer_is_refused_before_the_greeting()
    {
        await using var server = await TestMailServer<LineProtocolHandler>.StartAsync(o =>
        {
            o.Tls = MailTlsMode.None;
            o.ProxyProtocol = true;
            o.TrustedProxies.Add(IPNetwork.Parse("10.0.0.0/8"));
        });
        await using var client = await LineClient.ConnectAsync(server.EndPoint);

        await client.SendAsync("PROXY TCP4 192.0.2.7 198.51.100.1 5555 143\r\n");

        (await client.ReadToEndAsync(TimeSpan.FromSeconds(10))).Should().BeEmpty();
        (await server.Logs.WaitForAsync(e => e.EventId.Id == 1020, TimeSpan.FromSeconds(5))).Level.Should().Be(LogLevel.Warning);
    }

    [Fact]
    public async Task A_malformed_PROXY_header_closes_the_connection()
    {
        await using var server = await TestMailServer<LineProtocolHandler>.StartAsync(o =>
        {
            o.Tls = MailTlsMode.None;
            o.ProxyProtocol = true;
            o.TrustedProxies.Add(IPNetwork.Parse("127.0.0.0/8"));
        });
        await using var client = await LineClient.ConnectAsync(server.EndPoint);

        await client.SendAsync("PROXY TCP4 999.0.2.7 198.51.100.1 5555 143\r\n");

        (await client.ReadToEndAsync(TimeSpan.FromSeconds(10))).Should().BeEmpty();
    }

    [Fact]
    public async Task A_deny_listed_address_is_refused_before_the_greeting()
    {
        await using var server = await TestMailServer<LineProtocolHandler>.StartAsync(o =>
        {
            o.Tls = MailTlsMode.Auto;
            o.DeniedNetworks.Add(IPNetwork.Parse("127.0.0.0/8"));
            o.AllowedNetworks.Add(IPNetwork.Parse("127.0.0.1/32"));
        });
        await using var client = await LineClient.ConnectAsync(server.EndPoint);

        (await client.ReadToEndAsync(TimeSpan.FromSeconds(10))).Should().Be("* BYE [UNAVAILABLE] Access denied\r\n", "deny wins over allow");
        server.Logs.Entries.Should().NotContain(e => e.Message == "Session started");
    }

    [Fact]
    public async Task An_address_outside_the_allow_list_is_refused()
    {
        await using var server = await TestMailServer<LineProtocolHandler>.StartAsync(o =>
        {
            o.Tls = MailTlsMode.None;
            o.AllowedNetworks.Add(IPNetwork.Parse("192.0.2.0/24"));
        });
        await using var client = await LineClient.ConnectAsync(server.EndPoint);

        (await client.ReadToEndAsync(TimeSpan.FromSeconds(10))).Should().Be("* BYE [UNAVAILABLE] Access denied\r\n");
    }

    [Fact]
    public async Task Connections_per_address_are_limited()
    {
        await using var server = await TestMailServer<LineProtocolHandler>.StartAsync(o => { o.Tls = MailTlsMode.None; o.MaxConnectionsPerAddress = 1; });
        await using var first = await LineClient.ConnectAsync(server.EndPoint);
        (await first.ReadLineAsync()).Should().StartWith("* OK");

        await using (var second = await LineClient.ConnectAsync(server.EndPoint))
        {
            (await second.ReadToEndAsync(TimeSpan.FromSeconds(10))).Should().Be("* BYE [UNAVAILABLE] Too many connections, try again later\r\n");
        }

        await first.SendAsync("QUIT\r\n");
        (await first.ReadLineAsync()).Should().Be("BYE");
        (await first.ReadToEndAsync(TimeSpan.FromSeconds(10))).Should().BeEmpty();
        await server.Logs.WaitForAsync(e => e.EventId.Id == 1001, TimeSpan.FromSeconds(5));

        await using var third = await LineClient.ConnectAsync(server.EndPoint);
        (await third.ReadLineAsync()).Should().StartWith("* OK", "the slot was released when the first connection closed");
    }

    [Fact]
    public async Task QUIT_and_FIN_together_still_get_the_reply()
    {
        await using var server = await TestMailServer<LineProtocolHandler>.StartAsync(o => o.Tls = MailTlsMode.None);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.EndPoint);
        var buffer = new byte[1024];
        var greeting = await socket.ReceiveAsync(buffer).WaitAsync(TimeSpan.FromSeconds(10));
        Encoding.ASCII.GetString(buffer, 0, greeting).Should().StartWith("* OK");

        socket.Send("QUIT\r\n"u8);
        socket.Shutdown(SocketShutdown.Send);

        var received = new StringBuilder();
        while (true)
        {
            var n = await socket.ReceiveAsync(buffer).WaitAsync(TimeSpan.FromSeconds(10));
            if (n == 0)
            {
                break;
            }

            received.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }

        received.ToString().Should().Be("BYE\r\n");
    }

    [Fact]
    public async Task The_trace_shows_a_TLS_ClientHello_on_a_StartTls_only_port_as_escaped_bytes()
    {
        await using var server = await TestMailServer<LineProtocolHandler>.StartAsync(o => o.Tls = MailTlsMode.StartTls);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);

        // A real TLS client that expects TLS at once: it sends its ClientHello and chokes on the plain greeting.
        var handshake = () => client.StartTlsAsync();
        await handshake.Should().ThrowAsync<Exception>();
        await client.DisposeAsync();

        var trace = await server.Logs.WaitForAsync(
            e => e.Category == "MailHost.Trace.Imap" && e.Message.Contains(" C: \\16\\03\\01", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10));
        trace.Level.Should().Be(LogLevel.Trace);
        server.Logs.Entries.Should().Contain(e => e.Category == "MailHost.Trace.Imap" && e.Message.Contains(" S: * OK test ready tls=False", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_log_entry_of_a_connection_carries_its_scope()
    {
        await using var server = await TestMailServer<LineProtocolHandler>.StartAsync(o => { o.Tls = MailTlsMode.None; o.Name = "Scoped"; });
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        (await client.ReadLineAsync()).Should().StartWith("* OK");

        var entry = await server.Logs.WaitForAsync(e => e.Message == "Session started", TimeSpan.FromSeconds(5));

        // Kestrel's own scope also names the connection; the mail scope is the innermost one.
        var scope = entry.Scope.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value);
        scope.Should().ContainKey("ConnectionId");
        scope["RemoteEndPoint"].Should().Be(client.Socket.LocalEndPoint!.ToString());
        scope["Endpoint"].Should().Be("Scoped");
        scope["Protocol"].Should().Be("Imap");
        scope["Tls"].Should().Be(false);
    }

    [Fact]
    public async Task Connection_metrics_count_opened_refused_and_return_to_zero_active()
    {
        var name = "Metered-" + Guid.NewGuid().ToString("N");
        long opened = 0, active = 0, refused = 0;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MailHost.Connections.MailHostMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var mine = false;
            foreach (var tag in tags)
            {
                mine |= tag.Key == "endpoint" && (string?)tag.Value == name;
            }

            if (!mine)
            {
                return;
            }

            switch (instrument.Name)
            {
                case "mailhost.connections.opened": Interlocked.Add(ref opened, value); break;
                case "mailhost.connections.active": Interlocked.Add(ref active, value); break;
                case "mailhost.connections.refused": Interlocked.Add(ref refused, value); break;
            }
        });
        listener.Start();
        await using var server = await TestMailServer<LineProtocolHandler>.StartAsync(o => { o.Tls = MailTlsMode.None; o.Name = name; o.MaxConnectionsPerAddress = 1; });

        await using (var first = await LineClient.ConnectAsync(server.EndPoint))
        {
            (await first.ReadLineAsync()).Should().StartWith("* OK");
            Interlocked.Read(ref active).Should().Be(1);
            await using var second = await LineClient.ConnectAsync(server.EndPoint);
            (await second.ReadToEndAsync(TimeSpan.FromSeconds(10))).Should().Contain("Too many connections");
            await first.SendAsync("QUIT\r\n");
            (await first.ReadLineAsync()).Should().Be("BYE");
        }

        await server.Logs.WaitForCountAsync(e => e.EventId.Id == 1001, 2, TimeSpan.FromSeconds(10));
        Interlocked.Read(ref opened).Should().Be(2);
        Interlocked.Read(ref refused).Should().Be(1);
        Interlocked.Read(ref active).Should().Be(0);
    }

    /// <summary>A PROXY v2 header for TCP over IPv4 from <paramref name="source"/> to 198.51.100.1:143.</summary>
    private static byte[] ProxyV2(IPAddress source, ushort port)
    {
        var header = new List<byte>
        {
            0x0D,
            0x0A,
            0x0D,
            0x0A,
            0x00,
            0x0D,
            0x0A,
            0x51,
            0x55,
            0x49,
            0x54,
            0x0A,
            0x21, // version 2, PROXY
            0x11 // AF_INET, STREAM
        };
        header.AddRange([0x00, 0x0C]);
        header.AddRange(source.GetAddressBytes());
        header.AddRange(IPAddress.Parse("198.51.100.1").GetAddressBytes());
        header.AddRange([(byte)(port >> 8), (byte)port, 0x00, 143]);
        return [.. header];
    }
}
