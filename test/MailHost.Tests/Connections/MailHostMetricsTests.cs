using System.Net.Sockets;
using System.Text;
using MailHost.Testing;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MailKit.Search;
using MailKit.Security;
using MimeKit;

namespace MailHost.Tests.Connections;

/// <summary>
/// The mail work on the <c>MailHost</c> meter, seen by a listener while real clients talk to the in-process test server
/// over loopback: MailKit for the flows a client runs, a raw socket where the exact lines matter.
/// </summary>
[Collection(MetricsCollection.Name)]
public sealed class MailHostMetricsTests : IAsyncLifetime
{
    private const string Alice = "alice@example.test";
    private const string AlicePassword = "alice-pw";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly MetricsRecorder _metrics = new();
    private MailTestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await MailTestServer.StartAsync().WaitAsync(Timeout);
        await _server.AddAccountAsync(Alice, AlicePassword);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _metrics.Dispose();
    }

    [Fact]
    public async Task A_message_received_over_smtp_counts_its_commands_its_acceptance_its_local_delivery_and_the_store_write()
    {
        using var deadline = new CancellationTokenSource(Timeout);
        using (var client = new SmtpClient())
        {
            await client.ConnectAsync(MailTestServer.Host, _server.SmtpPort, SecureSocketOptions.None, deadline.Token);
            await client.SendAsync(Message("Hello"), deadline.Token);
            await client.DisconnectAsync(quit: true, deadline.Token);
        }

        _metrics.Sum("mailhost.messages.received", ("endpoint", "mx")).Should().Be(1);
        _metrics.Sum("mailhost.messages.received", ("endpoint", "submission")).Should().Be(0);
        _metrics.Sum("mailhost.messages.delivered", ("route", "local")).Should().Be(1, "one recipient, one mailbox copy");
        _metrics.Of("mailhost.store.operation.duration", ("operation", "deliver"), ("store", "memory")).Should().ContainSingle()
            .Which.Value.Should().BeGreaterThan(0);
        foreach (var verb in (string[])["EHLO", "MAIL", "RCPT", "QUIT"])
        {
            _metrics.Sum("mailhost.commands", ("protocol", "smtp"), ("command", verb)).Should().Be(1, verb);
        }

        // MailKit sends the content with BDAT when CHUNKING is offered, with DATA otherwise.
        (_metrics.Sum("mailhost.commands", ("protocol", "smtp"), ("command", "DATA"))
            + _metrics.Sum("mailhost.commands", ("protocol", "smtp"), ("command", "BDAT"))).Should().Be(1);
    }

    [Fact]
    public async Task A_submitted_message_is_counted_on_the_submission_endpoint_with_its_login()
    {
        using var deadline = new CancellationTokenSource(Timeout);
        using (var client = new SmtpClient())
        {
            // The test server allows credentials in plain text, so the login needs no TLS here.
            await client.ConnectAsync(MailTestServer.Host, _server.SubmissionPort, SecureSocketOptions.None, deadline.Token);
            await client.AuthenticateAsync(Alice, AlicePassword, deadline.Token);
            await client.SendAsync(Message("Submitted", from: Alice), deadline.Token);
            await client.DisconnectAsync(quit: true, deadline.Token);
        }

        _metrics.Sum("mailhost.messages.received", ("endpoint", "submission")).Should().Be(1);
        _metrics.Sum("mailhost.commands", ("protocol", "submission"), ("command", "AUTH")).Should().Be(1);
        var attempt = _metrics.Of("mailhost.auth.attempts", ("protocol", "smtp")).Should().ContainSingle().Subject;
        attempt.Tags["outcome"].Should().Be("succeeded");
        attempt.Tags["mechanism"].Should().BeOneOf("PLAIN", "LOGIN", "SCRAM-SHA-256");
    }

    [Fact]
    public async Task An_imap_session_counts_its_handshake_logins_commands_and_store_operations()
    {
        await DeliverAsync("First");
        using var deadline = new CancellationTokenSource(Timeout);
        using var client = new ImapClient { ServerCertificateValidationCallback = _server.ValidateServerCertificate };
        await client.ConnectAsync(MailTestServer.Host, _server.ImapPort, SecureSocketOptions.StartTls, deadline.Token);
        await client.AuthenticateAsync(Alice, AlicePassword, deadline.Token);
        await client.Inbox.OpenAsync(FolderAccess.ReadWrite, deadline.Token);
        (await client.Inbox.FetchAsync(0, -1, MessageSummaryItems.Envelope, deadline.Token)).Should().ContainSingle();
        (await client.Inbox.SearchAsync(SearchQuery.All, deadline.Token)).Should().ContainSingle();
        await client.Inbox.AddFlagsAsync(0, MessageFlags.Flagged, silent: true, deadline.Token);
        await client.DisconnectAsync(quit: true, deadline.Token);

        var handshake = _metrics.Of("mailhost.tls.handshakes", ("protocol", "imap")).Should().ContainSingle().Subject;
        handshake.Tags["outcome"].Should().Be("succeeded");
        handshake.Tags["version"].Should().BeOneOf("tls1.2", "tls1.3");
        var login = _metrics.Of("mailhost.auth.attempts", ("protocol", "imap")).Should().ContainSingle().Subject;
        login.Tags["outcome"].Should().Be("succeeded");
        login.Tags["mechanism"].Should().BeOneOf("PLAIN", "LOGIN", "SCRAM-SHA-256");
        foreach (var verb in (string[])["STARTTLS", "AUTHENTICATE", "SELECT", "FETCH", "SEARCH", "STORE", "LOGOUT"])
        {
            _metrics.Sum("mailhost.commands", ("protocol", "imap"), ("command", verb)).Should().BeGreaterThanOrEqualTo(1, verb);
        }

        _metrics.Sum("mailhost.commands", ("protocol", "imap"), ("command", "other")).Should().Be(0, "the SASL exchange's responses are not commands");
        foreach (var operation in (string[])["select", "fetch", "search", "store"])
        {
            _metrics.Of("mailhost.store.operation.duration", ("operation", operation), ("store", "memory")).Should().NotBeEmpty(operation);
        }
    }

    [Fact]
    public async Task Wrong_credentials_are_a_failed_attempt_of_their_mechanism()
    {
        // A raw LOGIN (the test server allows it without TLS): MailKit would go on to its next mechanism.
        await using var imap = await LineClient.ConnectAsync(_server.ImapPort);
        await imap.ReadLineAsync();

        (await imap.CommandAsync($"a1 LOGIN {Alice} wrong", "a1 ")).Should().StartWith("a1 NO");

        var attempt = _metrics.Of("mailhost.auth.attempts", ("protocol", "imap")).Should().ContainSingle().Subject;
        attempt.Tags["outcome"].Should().Be("failed");
        attempt.Tags["mechanism"].Should().Be("LOGIN");
    }

    [Fact]
    public async Task Unknown_verbs_are_counted_as_other_so_a_client_cannot_make_up_tag_values()
    {
        await using (var imap = await LineClient.ConnectAsync(_server.ImapPort))
        {
            await imap.ReadLineAsync();
            await imap.CommandAsync("a1 CAPABILITY", "a1 ");
            await imap.CommandAsync("a2 X-MADE-UP-1", "a2 ");
            await imap.CommandAsync("a3 LOGOUT", "a3 ");
        }

        await using (var smtp = await LineClient.ConnectAsync(_server.SmtpPort))
        {
            await smtp.ReadReplyAsync();
            await smtp.SendAsync("EHLO client.test");
            await smtp.ReadReplyAsync();
            foreach (var verb in (string[])["XMADEUP1", "XMADEUP2"])
            {
                await smtp.SendAsync(verb);
                (await smtp.ReadReplyAsync()).Should().StartWith("500");
            }

            await smtp.SendAsync("QUIT");
            await smtp.ReadReplyAsync();
        }

        await using (var pop3 = await LineClient.ConnectAsync(_server.Pop3Port))
        {
            await pop3.ReadLineAsync();
            await pop3.SendAsync("MADEUP");
            (await pop3.ReadLineAsync()).Should().StartWith("-ERR");
            await pop3.SendAsync("QUIT");
            (await pop3.ReadLineAsync()).Should().StartWith("+OK");
        }

        _metrics.TagValues("mailhost.commands", "command", ("protocol", "imap")).Should().BeEquivalentTo(["CAPABILITY", "other", "LOGOUT"]);
        _metrics.Sum("mailhost.commands", ("protocol", "imap")).Should().Be(3);
        _metrics.TagValues("mailhost.commands", "command", ("protocol", "smtp")).Should().BeEquivalentTo(["EHLO", "other", "QUIT"]);
        _metrics.Sum("mailhost.commands", ("protocol", "smtp"), ("command", "other")).Should().Be(2);
        _metrics.TagValues("mailhost.commands", "command", ("protocol", "pop3")).Should().BeEquivalentTo(["other", "QUIT"]);
    }

    [Fact]
    public async Task A_handshake_that_gets_no_client_hello_is_a_failure_of_unknown_version()
    {
        await using var imap = await LineClient.ConnectAsync(_server.ImapPort);
        await imap.ReadLineAsync();
        await imap.CommandAsync("t1 STARTTLS", "t1 OK");

        // Plain text where the ClientHello belongs: the handshake fails and the server ends the session.
        await imap.SendAsync("not a ClientHello");
        await imap.ReadToEndAsync();

        var handshake = _metrics.Of("mailhost.tls.handshakes", ("protocol", "imap")).Should().ContainSingle().Subject;
        handshake.Tags["outcome"].Should().Be("failed");
        handshake.Tags["version"].Should().Be("unknown");
    }

    private static MimeMessage Message(string subject, string from = "bob@sender.test")
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(Alice));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = "Hello Alice.\r\n" };
        return message;
    }

    private async Task DeliverAsync(string subject)
    {
        using var deadline = new CancellationTokenSource(Timeout);
        using var client = new SmtpClient();
        await client.ConnectAsync(MailTestServer.Host, _server.SmtpPort, SecureSocketOptions.None, deadline.Token);
        await client.SendAsync(Message(subject), deadline.Token);
        await client.DisconnectAsync(quit: true, deadline.Token);
    }

    /// <summary>A line-based client on a raw socket: the exact bytes a test means, nothing a library adds.</summary>
    private sealed class LineClient : IAsyncDisposable
    {
        private readonly TcpClient _tcp;
        private readonly StreamReader _reader;
        private readonly Stream _stream;

        private LineClient(TcpClient tcp)
        {
            _tcp = tcp;
            _stream = tcp.GetStream();
            _reader = new StreamReader(_stream, Encoding.ASCII);
        }

        public static async Task<LineClient> ConnectAsync(int port)
        {
            var tcp = new TcpClient();
            await tcp.ConnectAsync(MailTestServer.Host, port).WaitAsync(Timeout);
            return new LineClient(tcp);
        }

        public async Task SendAsync(string line) => await _stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n")).AsTask().WaitAsync(Timeout);

        public async Task<string?> ReadLineAsync() => await _reader.ReadLineAsync().WaitAsync(Timeout);

        /// <summary>Sends an IMAP command and reads up to its tagged response (<paramref name="end"/> starts it), which it returns.</summary>
        public async Task<string> CommandAsync(string line, string end)
        {
            await SendAsync(line);
            while (await ReadLineAsync() is { } response)
            {
                if (response.StartsWith(end, StringComparison.Ordinal))
                {
                    return response;
                }
            }

            throw new EndOfStreamException("The server closed the connection before " + end);
        }

        /// <summary>Reads an SMTP reply to its last line (a space after the code); returns that line.</summary>
        public async Task<string> ReadReplyAsync()
        {
            while (await ReadLineAsync() is { } line)
            {
                if (line.Length < 4 || line[3] == ' ')
                {
                    return line;
                }
            }

            throw new EndOfStreamException("The server closed the connection inside a reply.");
        }

        /// <summary>Reads until the server closes the connection.</summary>
        public async Task ReadToEndAsync()
        {
            try
            {
                await _reader.ReadToEndAsync().WaitAsync(Timeout);
            }
            catch (IOException)
            {
                // A reset is an end too.
            }
        }

        public ValueTask DisposeAsync()
        {
            _reader.Dispose();
            _tcp.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
