using System.Net.Security;
using System.Security.Authentication;
using MailHost.Hosting;
using MailHost.IntegrationTests.Infrastructure;

namespace MailHost.IntegrationTests.Connections;

/// <summary>The four TLS modes over real sockets, with a TLS client and a plain client on the same port.</summary>
public sealed class TlsModeTests
{
    // A generous window: a cold TLS client on a loaded 2-core machine can take several hundred ms for its hello.
    private static readonly TimeSpan GenerousWindow = TimeSpan.FromSeconds(5);

    private const ushort TlsVersion11 = 0x0302;
    private const ushort TlsVersion12 = 0x0303;

    [Fact]
    public async Task Auto_with_a_TLS_client_greets_inside_TLS()
    {
        await using var server = await TestMailServer<LineProtocolHandler>.StartAsync(o => { o.Tls = MailTlsMode.Auto; o.TlsDetectionTimeout = GenerousWindow; });
        await using var client = await LineClient.ConnectAsync(server.EndPoint);

        await client.StartTlsAsync();

        (await client.ReadLineAsync()).Should().Be("* OK test ready tls=True");
        await client.SendAsync("INFO\r\n");
        (await client.ReadLineAsync()).Should().MatchRegex(@"^INFO remote=127\.0\.0\.1:\d+ .* tls=True desc=TLSv1\.[23] \w+");
    }

    [Fact]
    public async Task Auto_with_a_plain_client_greets_in_plain_text_after_the_window_and_offers_STARTTLS()
    {
        await using var server = await TestMailServer<LineProtocolHandler>.StartAsync(o => { o.Tls = MailTlsMode.Auto; o.TlsDetectionTimeout = TimeSpan.FromMilliseconds(200); });
        await using var client = await LineClient.ConnectAsync(server.EndPoint);

        (await client.ReadLineAsync()).Should().Be("* OK test ready tls=False");
        await client.SendAsync("STARTTLS\r\n");
        (await client.ReadLineAsync()).Should().Be("OK begin TLS");
        await client.StartTlsAsync();
        await client.SendAsync("INFO\r\n");
        (await client.ReadLineAsync()).Should().Contain("tls=True");
    }

    [Fact]
    public async Task A_ClientHello_that_arrives_as_soon_as_the_STARTTLS_reply_is_read_is_not_discarded()
    {
        // What was buffered before the reply is discarded (SECURITY.md A1); what the client sends after reading it
        // is its handshake. The server here pauses after the reply, so the ClientHello is buffered before the
        // handshake starts, as it is whenever the server thread is slower than the client.
        await using var server = await TestMailServer<LineProtocolHandler>.StartAsync(o => o.Tls = MailTlsMode.StartTls);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);

        (await client.ReadLineAsync()).Should().Be("* OK test ready tls=False");
        await client.SendAsync("STARTTLS-SLOW\r\n");
        (await client.ReadLineAsync()).Should().Be("OK begin TLS");
        await client.StartTlsAsync();
        await client.SendAsync("INFO\r\n");
        (await client.ReadLineAsync()).Should().Contain("tls=True");
        server.Logs.Entries.Should().NotContain(e => e.Message.Contains("discarded", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Auto_with_a_client_that_speaks_first_in_plain_text_is_plain()
    {
        await using var server = await TestMailServer<LineProtocolHandler>.StartAsync(o => { o.Tls = MailTlsMode.Auto; o.TlsDetectionTimeout = GenerousWindow; });
        await using var client = await LineClient.ConnectAsync(server.EndPoint);

        await client.SendAsync("ECHO early\r\n");

        (await client.ReadLineAsync()).Should().Be("* OK test ready tls=False");
        (await client.ReadLineAsync()).Should().Be("ECHO early");
    }

    [Fact]
    public async Task Implicit_handshakes_first()
    {
        await using var server = await TestMailServer<LineProtocolHandler>.StartAsync(o => o.Tls = MailTlsMode.Implicit);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);

        await client.StartTlsAsync();

        (await client.ReadLineAsync()).Should().Be("* OK test ready tls=True");
        await client.SendAsync("STARTTLS\r\n");
        (await client.ReadLineAsync()).Should().Be("BAD STARTTLS not available");
    }

    [Fact]
    public async Task StartTls_greets_at_once_and_upgrades()
    {
        await using var server = await TestMailServer<LineProtocolHandler>.StartAsync(o => o.Tls = MailTlsMode.StartTls);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);

        (await client.ReadLineAsync(TimeSpan.FromSeconds(5))).Should().Be("* OK test ready tls=False");
        await client.SendAsync("STARTTLS\r\n");
        (await client.ReadLineAsync()).Should().Be("OK begin TLS");
        await client.StartTlsAsync();
        await client.SendAsync("STARTTLS\r\n");
        (await client.ReadLineAsync()).Should().Be("BAD STARTTLS not available", "a second STARTTLS is refused (SECURITY.md A3)");
    }

    [Fact]
    public async Task None_never_offers_TLS()
    {
        await using var server = await TestMailServer<LineProtocolHandler>.StartAsync(o => o.Tls = MailTlsMode.None);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);

        (await client.ReadLineAsync()).Should().Be("* OK test ready tls=False");
        await client.SendAsync("STARTTLS\r\n");
        (await client.ReadLineAsync()).Should().Be("BAD STARTTLS not available");
    }

    [Fact]
    public async Task Bytes_injected_after_STARTTLS_are_never_processed()
    {
        await using var server = await TestMailServer<LineProtocolHandler>.StartAsync(o => o.Tls = MailTlsMode.StartTls);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        (await client.ReadLineAsync()).Should().StartWith("* OK");

        // SECURITY.md A1: the EAST probe, STARTTLS and a second command in one segment.
        await client.SendAsync("STARTTLS\r\nECHO injected\r\n");
        (await client.ReadLineAsync()).Should().Be("OK begin TLS");
        await client.StartTlsAsync();
        await client.SendAsync("ECHO after\r\n");

        (await client.ReadLineAsync()).Should().Be("ECHO after", "the injected command must not have run");
        (await server.Logs.WaitForAsync(e => e.EventId.Id == 1035, TimeSpan.FromSeconds(5))).Message.Should().Contain("Discarded 15 bytes");
    }

    [Fact]
    public async Task A_dripped_ClientHello_is_cut_at_the_handshake_deadline()
    {
        await using var server = await TestMailServer<LineProtocolHandler>.StartAsync(o =>
        {
            o.Tls = MailTlsMode.Auto;
            o.TlsDetectionTimeout = GenerousWindow;
            o.TlsHandshakeTimeout = TimeSpan.FromSeconds(1);
        });
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        var started = DateTime.UtcNow;

        // A TLS record header, then the rest of a hello one byte at a time, far slower than the deadline allows.
        byte[] drip = [0x16, 0x03, 0x01, 0x00, 0x80, 0x01, 0x00, 0x00, 0x7c, 0x03, 0x03];
        var closed = false;
        foreach (var b in drip)
        {
            try
            {
                await client.SendRawAsync([b]);
            }
            catch (IOException)
            {
                closed = true;
                break;
            }

            await Task.Delay(300);
            if (DateTime.UtcNow - started > TimeSpan.FromSeconds(2.5))
            {
                break;
            }
        }

        var rest = closed ? "" : await client.ReadToEndAsync(TimeSpan.FromSeconds(10));
        rest.Should().BeEmpty("no greeting may be sent to a half-finished ClientHello");
        (await server.Logs.WaitForAsync(e => e.EventId.Id == 1032, TimeSpan.FromSeconds(10))).Message.Should().Contain("deadline");
    }

    [Fact]
    public async Task An_HTTP_only_ALPN_list_is_refused_on_implicit_TLS()
    {
        await using var server = await TestMailServer<LineProtocolHandler>.StartAsync(o => o.Tls = MailTlsMode.Implicit);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);

        var handshake = () => client.StartTlsAsync([SslApplicationProtocol.Http11, SslApplicationProtocol.Http2]);

        await handshake.Should().ThrowAsync<Exception>().Where(e => e is AuthenticationException || e is IOException);
        (await server.Logs.WaitForAsync(e => e.EventId.Id == 1033, TimeSpan.FromSeconds(5))).Message.Should().Contain("http/1.1");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ALPN_imap_or_no_ALPN_is_accepted(bool offerImap)
    {
        await using var server = await TestMailServer<LineProtocolHandler>.StartAsync(o => o.Tls = MailTlsMode.Implicit);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);

        var ssl = await client.StartTlsAsync(offerImap ? [new SslApplicationProtocol("imap")] : null);

        ssl.NegotiatedApplicationProtocol.ToString().Should().Be(offerImap ? "imap" : "");
        (await client.ReadLineAsync()).Should().Be("* OK test ready tls=True");
    }

    [Fact]
    public async Task TLS_1_1_is_refused_by_the_server()
    {
        // A hand-made hello over a raw socket: .NET's client (OpenSSL's policy on Linux) may refuse to offer TLS 1.1
        // by itself, so an SslStream failure would not show that the server refused it.
        await using var server = await TestMailServer<LineProtocolHandler>.StartAsync(o => o.Tls = MailTlsMode.Implicit);
        var reply = await SendHandMadeHelloAsync(server.EndPoint, TlsVersion11);

        // RFC 5246 §7.2.2 / RFC 8446 §6.2: a server that does not support the offered version answers with a
        // protocol_version (70) or handshake_failure (40) alert, or closes; it never negotiates.
        if (reply.ContentType is not null)
        {
            reply.ContentType.Should().Be(21, "the answer to a TLS 1.1-only hello is an alert record, not a ServerHello ({0})", reply);
            reply.Body.Should().HaveCount(2);
            reply.Body[1].Should().Match(description => description == 70 || description == 40, "protocol_version (70) or handshake_failure (40)");
        }
    }

    [Fact]
    public async Task The_same_hand_made_hello_offering_TLS_1_2_gets_a_ServerHello()
    {
        // The control for the test above: the hello it sends is well formed, so its refusal is the version's.
        await using var server = await TestMailServer<LineProtocolHandler>.StartAsync(o => o.Tls = MailTlsMode.Implicit);
        var reply = await SendHandMadeHelloAsync(server.EndPoint, TlsVersion12);

        reply.ContentType.Should().Be(22, "a handshake record ({0})", reply);
        reply.Body[0].Should().Be(2, "server_hello (RFC 5246 §7.4)");
        ((reply.Body[4] << 8) | reply.Body[5]).Should().Be(TlsVersion12, "the server_version it chose");
    }

    /// <summary>The server's first record (content type and body), or no content type when it closed at once.</summary>
    private sealed record TlsReply(byte? ContentType, byte[] Body)
    {
        public override string ToString() => ContentType is null ? "closed" : $"type {ContentType}: {Convert.ToHexString(Body)}";
    }

    private static async Task<TlsReply> SendHandMadeHelloAsync(System.Net.IPEndPoint endPoint, ushort version)
    {
        await using var client = await LineClient.ConnectAsync(endPoint);
        await client.SendRawAsync(HandMadeHello(version));

        // A refusal or a ServerHello comes at once; the bound is generous for a loaded machine, and a server that
        // stays silent fails the test by timing out here.
        var bound = TimeSpan.FromSeconds(10);
        byte[] header;
        try
        {
            header = await client.ReadBytesAsync(5, bound);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException)
        {
            return new TlsReply(null, []);
        }

        var length = (header[3] << 8) | header[4];
        header[1].Should().Be(3, "a TLS record version");
        return new TlsReply(header[0], await client.ReadBytesAsync(Math.Min(length, 64), bound));
    }

    /// <summary>
    /// A ClientHello (RFC 5246 §7.4.1.2) that offers only <paramref name="version"/>: the ECDHE ECDSA and RSA suites
    /// of that version (AES-GCM for 1.2, AES-CBC-SHA for 1.1), SNI, the groups and point formats ECDHE needs, and for
    /// 1.2 the signature algorithms (RFC 5246 §7.4.1.4.1). No supported_versions: that would offer TLS 1.3.
    /// </summary>
    private static byte[] HandMadeHello(ushort version)
    {
        static byte[] U16(int value) => [(byte)(value >> 8), (byte)value];
        static byte[] Extension(int type, byte[] data) => [.. U16(type), .. U16(data.Length), .. data];
        var host = "localhost"u8.ToArray();
        byte[] suites = version == TlsVersion12
            ? [0xC0, 0x2B, 0xC0, 0x2F, 0xC0, 0x2C, 0xC0, 0x30, 0x00, 0xFF]
            : [0xC0, 0x09, 0xC0, 0x13, 0xC0, 0x0A, 0xC0, 0x14, 0x00, 0x2F, 0x00, 0xFF];
        byte[] extensions =
        [
            .. Extension(0, [.. U16(host.Length + 3), 0, .. U16(host.Length), .. host]),
            .. Extension(10, [.. U16(4), 0x00, 0x1D, 0x00, 0x17]),
            .. Extension(11, [1, 0]),
            .. version == TlsVersion12 ? Extension(13, [.. U16(6), 0x04, 0x03, 0x08, 0x04, 0x04, 0x01]) : [],
        ];
        var random = new byte[32];
        System.Security.Cryptography.RandomNumberGenerator.Fill(random);
        byte[] body = [.. U16(version), .. random, 0, .. U16(suites.Length), .. suites, 1, 0, .. U16(extensions.Length), .. extensions];
        byte[] message = [1, 0, .. U16(body.Length), .. body];
        return [22, 0x03, 0x01, .. U16(message.Length), .. message];
    }

    [Fact]
    public async Task The_SNI_hook_picks_the_certificate_for_the_requested_name()
    {
        using var other = MailHost.Hosting.MailCertificateProvider.CreateSelfSigned("other.test");
        await using var server = await TestMailServer<LineProtocolHandler>.StartAsync(o =>
        {
            o.Tls = MailTlsMode.Implicit;
            o.ServerCertificateSelector = (_, name) => name == "other.test" ? other : null;
        });

        await using (var defaultClient = await LineClient.ConnectAsync(server.EndPoint))
        {
            var ssl = await defaultClient.StartTlsAsync();
            ssl.RemoteCertificate!.Subject.Should().Be("CN=localhost");
        }

        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        var stream = new SslStream(client.Stream, leaveInnerStreamOpen: true);
        await stream.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "other.test",
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == other.GetCertHashString(),
        }).WaitAsync(TimeSpan.FromSeconds(15));
        stream.RemoteCertificate!.Subject.Should().Be("CN=other.test");
    }

    [Fact]
    public async Task A_handshake_beyond_the_cap_is_refused_and_silence_holds_no_place()
    {
        await using var server = await TestMailServer<LineProtocolHandler>.StartAsync(o =>
        {
            o.Tls = MailTlsMode.Auto;
            o.TlsDetectionTimeout = TimeSpan.FromMilliseconds(300);
            o.MaxPendingTlsHandshakes = 1;
        });
        await using var silent = await LineClient.ConnectAsync(server.EndPoint);
        await using var stalled = await LineClient.ConnectAsync(server.EndPoint);
        (await StalledTlsHandshake.StartAsync(stalled)).Should().BeTrue("the first handshake takes the only place");

        await using var second = await LineClient.ConnectAsync(server.EndPoint);
        var handshake = () => second.StartTlsAsync();
        await handshake.Should().ThrowAsync<Exception>().Where(e => e is AuthenticationException || e is IOException);
        (await server.Logs.WaitForAsync(e => e.EventId.Id == 1034, TimeSpan.FromSeconds(5))).Message.Should().Contain("1 handshakes are already in progress");

        (await silent.ReadLineAsync()).Should().Be("* OK test ready tls=False", "a client waiting in detection is no handshake");
    }
}
