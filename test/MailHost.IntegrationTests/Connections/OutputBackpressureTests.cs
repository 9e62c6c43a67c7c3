using System.Diagnostics;
using MailHost.Dns;
using MailHost.Hosting;
using MailHost.Imap;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.IntegrationTests.Smtp;
using MailHost.Pop3;
using MailHost.Smtp;
using MailHost.Tests.Delivery;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace MailHost.IntegrationTests.Connections;

/// <summary>
/// Issue 17 item 6: a client that sends commands and never reads the replies. The server must stop reading it while
/// its replies wait (bounded memory), cut it off at the write timeout, and not let it hold up a stop.
/// </summary>
public sealed class OutputBackpressureTests(ITestOutputHelper output)
{
    // Long enough that the client usually sees its sends stall before the server gives up on it; on a loaded machine
    // the kernel may take a while to stop accepting, and the server closing first shows the same thing.
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(1);

    // What the client may push before it stalls: the server's 1 MiB input pipe, the kernel's socket buffers on both
    // sides and the replies buffered before a flush waits. Without backpressure the server reads without end.
    private const long MaxAcceptedBeforeStall = 16L * 1024 * 1024;
    private const long SendLimit = 1024L * 1024 * 1024;
    private static readonly TimeSpan SendWithin = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The server stopped reading a client that never reads (after taking less than a bound), closed it at the write
    /// timeout with event 1040 and counted a write timeout; returns the log entry.
    /// </summary>
    private async Task<CapturedLog> ExpectHeldBackThenCutOffAsync(
        CapturingLoggerProvider logs, NonReadingClient client, NonReadingClient.SendOutcome outcome, TimeoutMetrics metrics)
    {
        output.WriteLine($"The server took {client.Sent} bytes before it stopped reading");
        outcome.Should().NotBe(NonReadingClient.SendOutcome.StillReading, "the server must stop reading while its replies wait");
        client.Sent.Should().BeLessThan(MaxAcceptedBeforeStall);
        var closed = await logs.WaitForAsync(e => e.EventId.Id == 1040, WriteTimeout + TimeSpan.FromSeconds(15));
        (await client.IsClosedByServerAsync(TimeSpan.FromSeconds(15))).Should().BeTrue();
        metrics.Reasons.Should().Contain("write");
        return closed;
    }

    [Theory]
    [InlineData(MailTlsMode.None)]
    [InlineData(MailTlsMode.Implicit)]
    public async Task An_IMAP_client_that_pipelines_and_never_reads_stops_being_read_and_is_cut_off_at_the_write_timeout(MailTlsMode tls)
    {
        var name = Unique("Imap");
        using var metrics = new TimeoutMetrics(name);
        await using var server = await StartImapAsync(name, tls, o => o.WriteTimeout = WriteTimeout);
        using var client = await NonReadingClient.ConnectAsync(server.EndPoint);
        if (tls == MailTlsMode.Implicit)
        {
            await client.StartTlsAsync();
        }

        var outcome = await client.SendUntilStalledAsync("a CAPABILITY\r\n", Stall, SendLimit, SendWithin);

        var closed = await ExpectHeldBackThenCutOffAsync(server.Logs, client, outcome, metrics);
        closed.Message.Should().Contain("write timeout of 5 s");
        server.Logs.Entries.Should().NotContain(e => e.EventId.Id == 1002, "closing a connection that does not read is no error");
    }

    [Fact]
    public async Task A_POP3_client_that_pipelines_and_never_reads_is_cut_off_at_the_write_timeout()
    {
        var name = Unique("Pop3");
        using var metrics = new TimeoutMetrics(name);
        await using var server = await TestMailServer<Pop3ConnectionHandler>.StartAsync(
            o => Endpoint(o, name, MailProtocol.Pop3),
            services =>
            {
                Common(services);
                services.AddMailHostPop3();
                services.Configure<Pop3Options>(o => o.WriteTimeout = WriteTimeout);
            });
        using var client = await NonReadingClient.ConnectAsync(server.EndPoint);

        var outcome = await client.SendUntilStalledAsync("CAPA\r\n", Stall, SendLimit, SendWithin);

        await ExpectHeldBackThenCutOffAsync(server.Logs, client, outcome, metrics);
    }

    [Fact]
    public async Task An_SMTP_client_that_pipelines_and_never_reads_is_cut_off_at_the_write_timeout()
    {
        var name = Unique("Smtp");
        using var metrics = new TimeoutMetrics(name);
        await using var server = await StartSmtpAsync(name, o => o.WriteTimeout = WriteTimeout);
        using var client = await NonReadingClient.ConnectAsync(server.EndPoint);

        var outcome = await client.SendUntilStalledAsync("EHLO client.example.net\r\n", Stall, SendLimit, SendWithin);

        await ExpectHeldBackThenCutOffAsync(server.Logs, client, outcome, metrics);
    }

    [Fact]
    public async Task Stopping_the_server_closes_a_connection_that_is_not_reading_within_seconds()
    {
        var name = Unique("ImapStop");
        var server = await StartImapAsync(name, MailTlsMode.None, o => o.WriteTimeout = TimeSpan.FromMinutes(10));
        using var client = await NonReadingClient.ConnectAsync(server.EndPoint);
        (await client.SendUntilStalledAsync("a CAPABILITY\r\n", Stall, SendLimit, SendWithin)).Should().Be(NonReadingClient.SendOutcome.Stalled);

        // The test host gives Kestrel 10 seconds before it aborts what is still open: the stop must not need them.
        var stopping = Stopwatch.StartNew();
        await server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        stopping.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(6));
        server.Logs.Entries.Should().Contain(e => e.EventId.Id == 1041);
        (await client.IsClosedByServerAsync(TimeSpan.FromSeconds(15))).Should().BeTrue();
    }

    [Fact]
    public async Task Stopping_the_server_tells_a_waiting_SMTP_client_421_at_once()
    {
        var name = Unique("SmtpStop");
        var server = await StartSmtpAsync(name, _ => { });
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        (await client.ReadLineAsync()).Should().StartWith("220 ");
        await client.SendAsync("EHLO client.example.net\r\n");
        while ((await client.ReadLineAsync())!.StartsWith("250-", StringComparison.Ordinal))
        {
        }

        var stopping = Stopwatch.StartNew();
        var stop = server.DisposeAsync().AsTask();

        (await client.ReadLineAsync(TimeSpan.FromSeconds(5))).Should().Be("421 4.3.2 Service shutting down, closing connection");
        await stop.WaitAsync(TimeSpan.FromSeconds(30));
        stopping.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(6));
    }

    [Fact]
    public async Task Stopping_the_server_closes_a_waiting_POP3_session_at_once()
    {
        var name = Unique("Pop3Stop");
        var server = await TestMailServer<Pop3ConnectionHandler>.StartAsync(
            o => Endpoint(o, name, MailProtocol.Pop3),
            services =>
            {
                Common(services);
                services.AddMailHostPop3();
            });
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        (await client.ReadLineAsync()).Should().StartWith("+OK");

        var stopping = Stopwatch.StartNew();
        var stop = server.DisposeAsync().AsTask();

        // RFC 3206 §4: the goodbye says the problem is temporary; RFC 1939 §3: without QUIT nothing is deleted.
        (await client.ReadToEndAsync(TimeSpan.FromSeconds(5))).Should().Be("-ERR [SYS/TEMP] Server shutting down, try again later\r\n");
        await stop.WaitAsync(TimeSpan.FromSeconds(30));
        stopping.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(6));
    }

    [Fact]
    public async Task An_honest_IMAP_client_pipelining_many_commands_gets_every_reply()
    {
        var name = Unique("ImapHonest");
        await using var server = await StartImapAsync(name, MailTlsMode.None, o => o.WriteTimeout = WriteTimeout);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        (await client.ReadLineAsync()).Should().StartWith("* OK");

        // 3,000 CAPABILITY replies are far more than one flush threshold: the server flushes as it goes and the
        // client, reading, keeps up.
        const int Commands = 3000;
        var send = client.SendAsync(string.Concat(Enumerable.Range(0, Commands).Select(i => $"c{i} CAPABILITY\r\n")));
        var tagged = 0;
        while (tagged < Commands)
        {
            var line = await client.ReadLineAsync();
            line.Should().NotBeNull();
            if (line!.StartsWith('c'))
            {
                line.Should().Be($"c{tagged} OK CAPABILITY completed");
                tagged++;
            }
        }

        await send;
    }

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private static void Endpoint(MailEndpointOptions options, string name, MailProtocol protocol, MailTlsMode tls = MailTlsMode.None)
    {
        options.Name = name;
        options.Protocol = protocol;
        options.Tls = tls;
    }

    /// <summary>Accounts, a store, and no protocol trace: the flood would fill the captured log.</summary>
    private static void Common(IServiceCollection services)
    {
        new MailWorld().Register(services);
        services.AddLogging(logging => logging.AddFilter("MailHost.Trace", LogLevel.None));
    }

    private static Task<TestMailServer<ImapConnectionHandler>> StartImapAsync(string name, MailTlsMode tls, Action<ImapOptions> imap)
        => TestMailServer<ImapConnectionHandler>.StartAsync(
            o => Endpoint(o, name, MailProtocol.Imap, tls),
            services =>
            {
                Common(services);
                services.AddMailHostImap();
                services.Configure(imap);
            });

    private static Task<TestMailServer<SmtpConnectionHandler>> StartSmtpAsync(string name, Action<SmtpOptions> smtp)
        => TestMailServer<SmtpConnectionHandler>.StartAsync(
            o => Endpoint(o, name, MailProtocol.Smtp),
            services =>
            {
                Common(services);
                services.Configure<MailHostOptions>(o => o.Hostname = SmtpTestHost.Hostname);
                services.AddSingleton<IDnsResolver>(new FakeDnsZone());
                services.AddMailHostSmtp();
                services.Configure(smtp);
            });
}
