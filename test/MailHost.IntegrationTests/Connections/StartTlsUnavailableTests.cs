using MailHost.Hosting;
using MailHost.IntegrationTests.Imap;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.IntegrationTests.Pop3;
using MailHost.IntegrationTests.Smtp;

namespace MailHost.IntegrationTests.Connections;

/// <summary>
/// STARTTLS while the endpoint already has as many handshakes in progress as it allows: a temporary error in each
/// protocol's own words, and the session goes on in plain text (RFC 3207 §4, RFC 5530 §3, RFC 3206 §4). The holder's
/// handshake is really in progress (its ClientHello sent, then nothing): asking for STARTTLS alone holds no place.
/// </summary>
public sealed class StartTlsUnavailableTests
{
    private static void OnePendingHandshake(MailEndpointOptions o) => o.MaxPendingTlsHandshakes = 1;

    [Fact]
    public async Task SMTP_answers_454_and_goes_on()
    {
        await using var server = await SmtpTestHost.StartAsync(new MailWorld(), endpoint: OnePendingHandshake);
        await using var holder = await OpenAsync(server, "220 ");
        await SmtpEhloAsync(holder);
        await holder.SendAsync("STARTTLS\r\n");
        (await holder.ReadLineAsync()).Should().StartWith("220 2.0.0");

        // The holder never finishes its handshake: it keeps the only place.
        (await StalledTlsHandshake.StartAsync(holder)).Should().BeTrue();
        await using var client = await OpenAsync(server, "220 ");
        await SmtpEhloAsync(client);
        await client.SendAsync("STARTTLS\r\n");
        (await client.ReadLineAsync()).Should().Be("454 4.7.0 TLS not available due to temporary reason");
        await client.SendAsync("NOOP\r\n");
        (await client.ReadLineAsync()).Should().StartWith("250 ");
    }

    [Fact]
    public async Task IMAP_answers_NO_UNAVAILABLE_and_goes_on()
    {
        await using var server = await ImapTestServer.StartAsync(new MailWorld(), MailTlsMode.StartTls, endpoint: OnePendingHandshake);
        await using var holder = await OpenAsync(server, "* OK");
        await holder.SendAsync("a STARTTLS\r\n");
        (await holder.ReadLineAsync()).Should().Be("a OK Begin TLS negotiation now");
        (await StalledTlsHandshake.StartAsync(holder)).Should().BeTrue();

        await using var client = await OpenAsync(server, "* OK");
        await client.SendAsync("b STARTTLS\r\n");
        (await client.ReadLineAsync()).Should().Be("b NO [UNAVAILABLE] TLS is not available right now, try again later");
        await client.SendAsync("c NOOP\r\n");
        (await client.ReadLineAsync()).Should().StartWith("c OK");
    }

    [Fact]
    public async Task POP3_answers_SYS_TEMP_and_goes_on()
    {
        await using var server = await Pop3SessionTests.StartAsync(new MailWorld(), MailTlsMode.StartTls, endpoint: OnePendingHandshake);
        await using var holder = await OpenAsync(server, "+OK");
        await holder.SendAsync("STLS\r\n");
        (await holder.ReadLineAsync()).Should().Be("+OK Begin TLS negotiation");
        (await StalledTlsHandshake.StartAsync(holder)).Should().BeTrue();

        await using var client = await OpenAsync(server, "+OK");
        await client.SendAsync("STLS\r\n");
        (await client.ReadLineAsync()).Should().Be("-ERR [SYS/TEMP] TLS is not available right now, try again later");
        await client.SendAsync("NOOP\r\n");
        (await client.ReadLineAsync()).Should().StartWith("-ERR", "the session is still in the authorization state, in plain text");
    }

    private static async Task<LineClient> OpenAsync<THandler>(TestMailServer<THandler> server, string greeting)
        where THandler : Microsoft.AspNetCore.Connections.ConnectionHandler
    {
        var client = await LineClient.ConnectAsync(server.EndPoint);
        (await client.ReadLineAsync()).Should().StartWith(greeting);
        return client;
    }

    private static async Task SmtpEhloAsync(LineClient client)
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
