using System.Text;
using MailHost.Hosting;
using MailHost.IntegrationTests.Imap;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.IntegrationTests.Pop3;
using MailHost.IntegrationTests.Smtp;
using Microsoft.AspNetCore.Connections;

namespace MailHost.IntegrationTests.Connections;

/// <summary>
/// With the protocol trace on, no password reaches the log in any protocol or mechanism: IMAP LOGIN (atoms and
/// literals), AUTHENTICATE with SASL-IR and with continuation lines, POP3 PASS and AUTH, SMTP AUTH PLAIN and LOGIN;
/// and not when something else shares the traced bytes: the rest of a refused APPEND, a refused literal, the tail of
/// an over-long line, a SASL response sent after the exchange was refused.
/// </summary>
public sealed class ProtocolTraceSecretTests
{
    private readonly List<string> _secrets = [];

    [Fact]
    public async Task IMAP_never_traces_a_password()
    {
        await using var server = await ImapTestServer.StartAsync(new MailWorld(), MailTlsMode.None, allowPlaintext: true);

        // The case: a refused APPEND (before login) leaves its line behind, and LOGIN follows it.
        await using (var client = await OpenAsync(server, "* OK"))
        {
            await client.SendAsync("a APPEND INBOX {5}\r\n");
            (await client.ReadLineAsync()).Should().StartWith("a BAD");
            await client.SendAsync("b LOGIN alice " + Secret("Imap1Apple") + "\r\n");
            (await client.ReadLineAsync()).Should().StartWith("b NO");
        }

        // LOGIN with literals (RFC 9051 §4.3).
        await using (var client = await OpenAsync(server, "* OK"))
        {
            var password = Secret("Imap2Pear!");
            await client.SendAsync("c LOGIN {5}\r\n");
            (await client.ReadLineAsync()).Should().StartWith("+ ");
            await client.SendAsync("alice {" + password.Length + "}\r\n");
            (await client.ReadLineAsync()).Should().StartWith("+ ");
            await client.SendAsync(password + "\r\n");
            (await client.ReadLineAsync()).Should().StartWith("c NO");
        }

        // AUTHENTICATE PLAIN with SASL-IR (RFC 4959), then with a continuation line; AUTHENTICATE LOGIN.
        await using (var client = await OpenAsync(server, "* OK"))
        {
            await client.SendAsync("d AUTHENTICATE PLAIN " + Plain("Imap3Plum") + "\r\n");
            (await client.ReadLineAsync()).Should().StartWith("d NO");
            await client.SendAsync("e AUTHENTICATE PLAIN\r\n");
            (await client.ReadLineAsync()).Should().StartWith("+");
            await client.SendAsync(Plain("Imap4Kiwi") + "\r\n");
            (await client.ReadLineAsync()).Should().StartWith("e NO");
        }

        await using (var client = await OpenAsync(server, "* OK"))
        {
            await client.SendAsync("f AUTHENTICATE LOGIN\r\n");
            (await client.ReadLineAsync()).Should().Be("+ VXNlcm5hbWU6");
            await client.SendAsync(Base64("alice") + "\r\n");
            (await client.ReadLineAsync()).Should().Be("+ UGFzc3dvcmQ6");
            await client.SendAsync(Base64(Secret("Imap5Lime")) + "\r\n");
            (await client.ReadLineAsync()).Should().StartWith("f NO");
        }

        // A non-synchronizing LOGIN literal over the limit before login: refused, its bytes dropped unparsed.
        await using (var client = await OpenAsync(server, "* OK"))
        {
            var secret = Secret("Imap6FigFig");
            var literal = secret + new string('x', 9000 - secret.Length);
            await client.SendAsync("g LOGIN alice {9000+}\r\n" + literal + "\r\nh NOOP\r\n");
            (await client.ReadLineAsync()).Should().StartWith("g ");
            (await client.ReadLineAsync()).Should().StartWith("h OK");
        }

        // A SASL response sent after AUTHENTICATE was refused arrives as a "command".
        await using (var client = await OpenAsync(server, "* OK"))
        {
            await client.SendAsync("i AUTHENTICATE XTOKEN\r\n");
            (await client.ReadLineAsync()).Should().StartWith("i NO");
            await client.SendAsync(Plain("Imap7Date") + "\r\n");
            (await client.ReadLineAsync()).Should().StartWith("* BAD");
        }

        await ExpectTraceWithoutSecretsAsync(server, connections: 6, "MailHost.Trace.Imap", "b LOGIN <redacted>");
    }

    [Fact]
    public async Task POP3_never_traces_a_password()
    {
        await using var server = await Pop3SessionTests.StartAsync(new MailWorld(), MailTlsMode.None, allowPlaintext: true);

        await using (var client = await OpenAsync(server, "+OK"))
        {
            await client.SendAsync("USER alice\r\n");
            (await client.ReadLineAsync()).Should().StartWith("+OK");
            await client.SendAsync("PASS " + Secret("Pop1 Apple with spaces") + "\r\n");
            (await client.ReadLineAsync()).Should().StartWith("-ERR");
        }

        await using (var client = await OpenAsync(server, "+OK"))
        {
            await client.SendAsync("AUTH PLAIN " + Plain("Pop2Pear") + "\r\n");
            (await client.ReadLineAsync()).Should().StartWith("-ERR");
            await client.SendAsync("AUTH PLAIN\r\n");
            (await client.ReadLineAsync()).Should().StartWith("+");
            await client.SendAsync(Plain("Pop3Plum") + "\r\n");
            (await client.ReadLineAsync()).Should().StartWith("-ERR");
        }

        await using (var client = await OpenAsync(server, "+OK"))
        {
            await client.SendAsync("AUTH LOGIN\r\n");
            (await client.ReadLineAsync()).Should().Be("+ VXNlcm5hbWU6");
            await client.SendAsync(Base64("alice") + "\r\n");
            (await client.ReadLineAsync()).Should().Be("+ UGFzc3dvcmQ6");
            await client.SendAsync(Base64(Secret("Pop4Kiwi")) + "\r\n");
            (await client.ReadLineAsync()).Should().StartWith("-ERR");
        }

        // PASS longer than a POP3 line (RFC 1939 §3: 255 octets): refused, and the rest of it skipped, never shown.
        await using (var client = await OpenAsync(server, "+OK"))
        {
            await client.SendAsync("USER alice\r\n");
            (await client.ReadLineAsync()).Should().StartWith("+OK");
            // The server refuses the line before its end has arrived; the end comes with the next command.
            await client.SendAsync("PASS " + new string('p', 300));
            (await client.ReadLineAsync()).Should().Be("-ERR Line too long");
            await client.SendAsync(Secret("Pop5TailOfALongLine") + "\r\nNOOP\r\n");
            (await client.ReadLineAsync()).Should().StartWith("-ERR");
        }

        await using (var client = await OpenAsync(server, "+OK"))
        {
            await client.SendAsync("AUTH XTOKEN\r\n");
            (await client.ReadLineAsync()).Should().StartWith("-ERR");
            await client.SendAsync(Plain("Pop6Date") + "\r\n");
            (await client.ReadLineAsync()).Should().StartWith("-ERR");
        }

        await ExpectTraceWithoutSecretsAsync(server, connections: 5, "MailHost.Trace.Pop3", "PASS <redacted>");
    }

    [Fact]
    public async Task SMTP_never_traces_a_password()
    {
        await using var server = await SmtpTestHost.StartAsync(new MailWorld(), MailProtocol.Submission, MailTlsMode.None, allowPlaintext: true);

        await using (var client = await OpenAsync(server, "220 "))
        {
            await client.SendAsync("EHLO client.example\r\n");
            await SkipEhloAsync(client);
            await client.SendAsync("AUTH PLAIN " + Plain("Smtp1Apple") + "\r\n");
            (await client.ReadLineAsync()).Should().StartWith("535 ");
            await client.SendAsync("AUTH PLAIN\r\n");
            (await client.ReadLineAsync()).Should().StartWith("334");
            await client.SendAsync(Plain("Smtp2Pear") + "\r\n");
            (await client.ReadLineAsync()).Should().StartWith("535 ");
        }

        await using (var client = await OpenAsync(server, "220 "))
        {
            await client.SendAsync("EHLO client.example\r\n");
            await SkipEhloAsync(client);
            await client.SendAsync("AUTH LOGIN\r\n");
            (await client.ReadLineAsync()).Should().Be("334 VXNlcm5hbWU6");
            await client.SendAsync(Base64("alice") + "\r\n");
            (await client.ReadLineAsync()).Should().Be("334 UGFzc3dvcmQ6");
            await client.SendAsync(Base64(Secret("Smtp3Plum")) + "\r\n");
            (await client.ReadLineAsync()).Should().StartWith("535 ");
            await client.SendAsync("AUTH LOGIN " + Base64("alice") + "\r\n");
            (await client.ReadLineAsync()).Should().Be("334 UGFzc3dvcmQ6");
            await client.SendAsync(Base64(Secret("Smtp4Kiwi")) + "\r\n");
            (await client.ReadLineAsync()).Should().StartWith("535 ");
        }

        // An AUTH line longer than RFC 4954 §4 allows: refused, and the rest of it skipped, never shown.
        await using (var client = await OpenAsync(server, "220 "))
        {
            await client.SendAsync("EHLO client.example\r\n");
            await SkipEhloAsync(client);
            // The server refuses the line before its end has arrived; the end comes with the next command.
            await client.SendAsync("AUTH PLAIN " + new string('A', 13_000));
            (await client.ReadLineAsync()).Should().StartWith("500 ");
            await client.SendAsync(Secret("Smtp5TailOfALongLine") + "\r\nNOOP\r\n");
            (await client.ReadLineAsync()).Should().StartWith("250 ");
        }

        await using (var client = await OpenAsync(server, "220 "))
        {
            await client.SendAsync("EHLO client.example\r\n");
            await SkipEhloAsync(client);
            await client.SendAsync("AUTH XTOKEN\r\n");
            (await client.ReadLineAsync()).Should().StartWith("504 ");
            await client.SendAsync(Plain("Smtp6Date") + "\r\n");
            (await client.ReadLineAsync()).Should().StartWith("500 ");
        }

        await ExpectTraceWithoutSecretsAsync(server, connections: 4, "MailHost.Trace.Submission", "AUTH PLAIN <redacted>");
    }

    private static async Task<LineClient> OpenAsync<THandler>(TestMailServer<THandler> server, string greeting)
        where THandler : ConnectionHandler
    {
        var client = await LineClient.ConnectAsync(server.EndPoint);
        (await client.ReadLineAsync()).Should().StartWith(greeting);
        return client;
    }

    private static async Task SkipEhloAsync(LineClient client)
    {
        string? line;
        do
        {
            line = await client.ReadLineAsync();
            line.Should().NotBeNull().And.StartWith("250");
        }
        while (!line.StartsWith("250 ", StringComparison.Ordinal));
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private string Secret(string password)
    {
        _secrets.Add(password);
        _secrets.Add(Base64(password));
        return password;
    }

    /// <summary>A SASL PLAIN response for alice (RFC 4616); the password and the whole response are secrets.</summary>
    private string Plain(string password)
    {
        var response = Base64("\0alice\0" + Secret(password));
        _secrets.Add(response);
        return response;
    }

    private async Task ExpectTraceWithoutSecretsAsync<THandler>(TestMailServer<THandler> server, int connections, string category, string redactedLine)
        where THandler : ConnectionHandler
    {
        // Every session has ended (its client went away above), so everything it traced is in.
        await server.Logs.WaitForCountAsync(e => e.EventId.Id == 1001, connections, TimeSpan.FromSeconds(10));
        var leaks = server.Logs.Entries
            .SelectMany(e => _secrets.Where(secret => e.Message.Contains(secret, StringComparison.Ordinal)).Select(secret => secret + " in: " + e.Message))
            .Select(leak => leak.Length > 160 ? leak[..160] : leak)
            .ToList();
        leaks.Should().BeEmpty(string.Join(" | ", leaks));
        server.Logs.Entries.Should().Contain(
            e => e.Category == category && e.Message.EndsWith(redactedLine, StringComparison.Ordinal),
            "the trace is on and shows the command, redacted");
    }
}
