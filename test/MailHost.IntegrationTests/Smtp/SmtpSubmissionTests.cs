using System.Text;
using MailHost.Hosting;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.Protocols.Smtp;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace MailHost.IntegrationTests.Smtp;

/// <summary>
/// Submission (RFC 6409) with AUTH over TLS: MailKit in every TLS mode, raw transcripts for STARTTLS and AUTH
/// corners, the sender policy and the outbound delivery hand-off. Delivered mail is read back through the store API.
/// </summary>
public sealed class SmtpSubmissionTests
{
    private static byte[] RawMessage(string subject, string body, string from = "alice@example.com", string to = "bob@example.com")
        => Encoding.UTF8.GetBytes(
            $"From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: Sat, 28 Nov 2026 10:00:00 +0000\r\nMessage-Id: <{Guid.NewGuid():N}@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n");

    private static async Task<SmtpClient> ConnectAsync(int port, SecureSocketOptions options, bool bdat = false)
    {
        var client = bdat ? new BdatSmtpClient() : new SmtpClient();
        client.ServerCertificateValidationCallback = TestCertificate.Validate;
        client.Timeout = 15_000;
        await client.ConnectAsync("127.0.0.1", port, options);
        return client;
    }

    [Theory]
    [InlineData(MailTlsMode.StartTls, SecureSocketOptions.StartTls)]
    [InlineData(MailTlsMode.Implicit, SecureSocketOptions.SslOnConnect)]
    [InlineData(MailTlsMode.Auto, SecureSocketOptions.SslOnConnect)]
    [InlineData(MailTlsMode.Auto, SecureSocketOptions.StartTls)]
    public async Task MailKit_submits_with_AUTH_over_TLS_and_the_stored_message_is_byte_identical(MailTlsMode mode, SecureSocketOptions options)
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world, MailProtocol.Submission, mode);
        using var client = await ConnectAsync(server.Port, options);

        client.Capabilities.Should().HaveFlag(SmtpCapabilities.Pipelining).And.HaveFlag(SmtpCapabilities.EightBitMime)
            .And.HaveFlag(SmtpCapabilities.UTF8).And.HaveFlag(SmtpCapabilities.Chunking).And.HaveFlag(SmtpCapabilities.Size)
            .And.HaveFlag(SmtpCapabilities.EnhancedStatusCodes).And.HaveFlag(SmtpCapabilities.Dsn);
        client.AuthenticationMechanisms.Should().BeEquivalentTo("PLAIN", "LOGIN", "SCRAM-SHA-256");
        await client.AuthenticateAsync("alice@example.com", MailWorld.AlicePassword);

        var raw = RawMessage("Grüße", "Ünïcödé body\r\n.leading dot\r\n.");
        var message = MimeMessage.Load(new MemoryStream(raw));
        await client.SendAsync(message);
        await client.DisconnectAsync(true);

        var stored = (await SmtpTestHost.InboxAsync(world.Store, "bob")).Should().ContainSingle().Subject;
        var body = SmtpTestHost.WithoutTraceFields(stored, out var returnPath, out var received);
        Encoding.UTF8.GetBytes(body).Should().Equal(raw);
        returnPath.Should().Be("Return-Path: <alice@example.com>\r\n");
        received.Should().Contain("with ESMTPSA (TLSv1.").And.Contain(" TLS_");
    }

    [Fact]
    public async Task MailKit_uses_BDAT_and_SMTPUTF8_addresses()
    {
        var world = new MailWorld();
        world.Directory.AddAlias("bob", "bøb@example.com");
        await using var server = await SmtpTestHost.StartAsync(world, MailProtocol.Submission, MailTlsMode.Implicit);
        using var client = await ConnectAsync(server.Port, SecureSocketOptions.SslOnConnect, bdat: true);
        await client.AuthenticateAsync("alice", MailWorld.AlicePassword);

        var raw = RawMessage("utf8", "Ünïcödé", to: "bøb@example.com");
        await client.SendAsync(MimeMessage.Load(new MemoryStream(raw)), new MailboxAddress("", "alice@example.com"), [new MailboxAddress("", "bøb@example.com")]);
        await client.DisconnectAsync(true);

        var stored = (await SmtpTestHost.InboxAsync(world.Store, "bob")).Should().ContainSingle().Subject;
        Encoding.UTF8.GetBytes(SmtpTestHost.WithoutTraceFields(stored, out _, out var received)).Should().Equal(raw);
        received.Should().Contain("with UTF8SMTPSA").And.Contain("for <bøb@example.com>");
        server.Logs.Entries.Should().Contain(e => e.Category.StartsWith("MailHost.Trace", StringComparison.Ordinal) && e.Message.Contains("BDAT", StringComparison.Ordinal), "the client was told to prefer CHUNKING");
    }

    private sealed class BdatSmtpClient : SmtpClient
    {
        protected override bool PreferSendAsBinaryData => true;
    }

    [Fact]
    public async Task Without_TLS_there_is_no_AUTH_and_after_STARTTLS_the_session_starts_over_SECURITY_A1_A3_A4()
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world, MailProtocol.Submission, MailTlsMode.StartTls);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        await client.ReadLineAsync();

        await client.SendAsync("EHLO client.example\r\n");
        var plain = await SmtpMxTests.ReadReplyAsync(client);
        plain.Select(l => l[4..]).Should().Contain("STARTTLS").And.NotContain(l => l.Contains("AUTH", StringComparison.Ordinal));
        await client.SendAsync("AUTH PLAIN AGFsaWNlAGFsaWNlLXB3\r\nMAIL FROM:<alice@example.com>\r\n");
        (await client.ReadLineAsync()).Should().Be("530 5.7.0 Must issue a STARTTLS command first");
        (await client.ReadLineAsync()).Should().Be("530 5.7.0 Must issue a STARTTLS command first");

        // The EAST probe: a command in the same segment as STARTTLS must never run inside TLS.
        await client.SendAsync("STARTTLS\r\nEHLO injected\r\n");
        (await client.ReadLineAsync()).Should().Be("220 2.0.0 Ready to start TLS");
        await client.StartTlsAsync();
        await client.SendAsync("MAIL FROM:<alice@example.com>\r\n");
        (await client.ReadLineAsync()).Should().Be("503 5.5.1 Send EHLO or HELO first", "EHLO from before TLS is forgotten and the injected one never ran");

        await client.SendAsync("EHLO client.example\r\n");
        var secure = await SmtpMxTests.ReadReplyAsync(client);
        secure.Select(l => l[4..]).Should().Contain("AUTH PLAIN LOGIN SCRAM-SHA-256").And.NotContain(l => l.Contains("STARTTLS", StringComparison.Ordinal));
        await client.SendAsync("STARTTLS\r\n");
        (await client.ReadLineAsync()).Should().Be("503 5.5.1 TLS is already active");
        await client.SendAsync("MAIL FROM:<alice@example.com>\r\n");
        (await client.ReadLineAsync()).Should().Be("530 5.7.0 Authentication required");
        var ir = Convert.ToBase64String(Encoding.UTF8.GetBytes("\0alice\0" + MailWorld.AlicePassword));
        await client.SendAsync($"AUTH PLAIN {ir}\r\n");
        (await client.ReadLineAsync()).Should().Be("235 2.7.0 Authentication successful");
        await client.SendAsync($"AUTH PLAIN {ir}\r\n");
        (await client.ReadLineAsync()).Should().Be("503 5.5.1 Already authenticated");
    }

    [Fact]
    public async Task AUTH_LOGIN_challenges_failures_and_the_failure_limit()
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world, MailProtocol.Submission, MailTlsMode.Implicit);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        await client.StartTlsAsync();
        await client.ReadLineAsync();
        await client.SendAsync("EHLO c.example\r\n");
        await SmtpMxTests.ReadReplyAsync(client);

        await client.SendAsync("AUTH LOGIN\r\n");
        (await client.ReadLineAsync()).Should().Be("334 VXNlcm5hbWU6");
        await client.SendAsync(Convert.ToBase64String("alice"u8.ToArray()) + "\r\n");
        (await client.ReadLineAsync()).Should().Be("334 UGFzc3dvcmQ6");
        await client.SendAsync(Convert.ToBase64String("wrong"u8.ToArray()) + "\r\n");
        (await client.ReadLineAsync()).Should().Be("535 5.7.8 Authentication credentials invalid");

        await client.SendAsync("AUTH PLAIN\r\n");
        (await client.ReadLineAsync()).Should().Be("334 ");
        await client.SendAsync("*\r\n");
        (await client.ReadLineAsync()).Should().Be("501 5.7.0 Authentication cancelled");
        await client.SendAsync("AUTH CRAM-MD5\r\n");
        (await client.ReadLineAsync()).Should().Be("504 5.5.4 Unrecognized authentication type");
        await client.SendAsync("AUTH PLAIN !!!\r\n");
        (await client.ReadLineAsync()).Should().Be("501 5.5.2 Cannot decode the authentication response");

        // Wrong password and undecodable data count; a cancel and an unknown mechanism do not (the third failure closes).
        var nobody = Convert.ToBase64String(Encoding.UTF8.GetBytes("\0nobody\0x"));
        await client.SendAsync($"AUTH PLAIN {nobody}\r\n");
        (await client.ReadLineAsync()).Should().Be("535 5.7.8 Authentication credentials invalid", "an unknown user looks like a wrong password");
        (await client.ReadToEndAsync(TimeSpan.FromSeconds(10))).Should().Be("421 4.7.0 Too many failed authentications, closing connection\r\n");
    }

    [Fact]
    public async Task SCRAM_SHA_256_through_MailKit_works()
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world, MailProtocol.Submission, MailTlsMode.Implicit);
        using var client = await ConnectAsync(server.Port, SecureSocketOptions.SslOnConnect);

        await client.AuthenticateAsync(new SaslMechanismScramSha256("alice", MailWorld.AlicePassword));

        client.IsAuthenticated.Should().BeTrue();
    }

    [Fact]
    public async Task MAIL_FROM_must_be_an_address_of_the_authenticated_user()
    {
        var world = new MailWorld();
        world.Directory.AddAlias("alice", "sales@example.com");
        await using var server = await SmtpTestHost.StartAsync(world, MailProtocol.Submission, MailTlsMode.None, allowPlaintext: true);
        await using var client = await SmtpTestHost.LoginAliceAsync(server);

        var cases = new (string Sender, string Reply)[]
        {
            ("<bob@example.com>", "553 5.7.1 Sender address is not owned by the authenticated user"),
            ("<someone@external.example>", "553 5.7.1 Sender address is not owned by the authenticated user"),
            ("<sales@example.com>", "250 2.1.0 Sender OK"),
            ("<alice+news@example.com>", "250 2.1.0 Sender OK"),
            ("<>", "250 2.1.0 Sender OK"),
        };
        foreach (var (sender, reply) in cases)
        {
            await client.SendAsync($"MAIL FROM:{sender}\r\n");
            (await client.ReadLineAsync()).Should().Be(reply, sender);
            await client.SendAsync("RSET\r\n");
            (await client.ReadLineAsync()).Should().Be("250 2.0.0 Reset OK");
        }
    }

    [Fact]
    public async Task External_recipients_are_refused_clearly_when_no_outbound_delivery_exists()
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world, MailProtocol.Submission, MailTlsMode.Implicit);
        using var client = await ConnectAsync(server.Port, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync("alice", MailWorld.AlicePassword);

        var send = () => client.SendAsync(MimeMessage.Load(new MemoryStream(RawMessage("out", "x", to: "v@external.example"))));

        (await send.Should().ThrowAsync<SmtpCommandException>()).Which.Message.Should().Be("5.7.1 Relaying is not available on this server");
    }

    [Fact]
    public async Task External_recipients_go_to_the_outbound_delivery_with_DSN_parameters_and_local_ones_to_the_store()
    {
        var world = new MailWorld();
        var outbound = new RecordingOutboundDelivery();
        await using var server = await SmtpTestHost.StartAsync(world, MailProtocol.Submission, MailTlsMode.None, allowPlaintext: true, outbound: outbound);
        await using var client = await SmtpTestHost.LoginAliceAsync(server);

        await client.SendAsync("MAIL FROM:<alice@example.com> RET=HDRS ENVID=abc+2B1 BODY=8BITMIME\r\n"
            + "RCPT TO:<v@external.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;v@external.example\r\n"
            + "RCPT TO:<bob@example.com>\r\nDATA\r\n");
        (await client.ReadLineAsync()).Should().Be("250 2.1.0 Sender OK");
        (await client.ReadLineAsync()).Should().Be("250 2.1.5 Recipient OK");
        (await client.ReadLineAsync()).Should().Be("250 2.1.5 Recipient OK");
        (await client.ReadLineAsync()).Should().StartWith("354");
        await client.SendAsync("Subject: both\r\n\r\nhello\r\n.\r\n");
        (await client.ReadLineAsync()).Should().StartWith("250 2.0.0 OK");

        var (envelope, content) = outbound.Queued.Should().ContainSingle().Subject;
        envelope.ReversePath.Should().Be("alice@example.com");
        envelope.Account.Should().Be("alice");
        envelope.Return.Should().Be(SmtpDsnReturn.Headers);
        envelope.EnvelopeId.Should().Be("abc+1");
        envelope.Body.Should().Be(SmtpBodyType.EightBitMime);
        envelope.Recipients.Should().ContainSingle().Which.Should().Be(
            new MailHost.Delivery.OutboundRecipient("v@external.example", SmtpDsnNotify.Success | SmtpDsnNotify.Failure, new SmtpOriginalRecipient("rfc822", "v@external.example")));
        var outText = Encoding.UTF8.GetString(content);
        outText.Should().StartWith("Received: ").And.EndWith("Subject: both\r\n\r\nhello\r\n").And.NotContain("Return-Path");
        var local = (await SmtpTestHost.InboxAsync(world.Store, "bob")).Should().ContainSingle().Subject;
        Encoding.UTF8.GetString(local).Should().Be("Return-Path: <alice@example.com>\r\n" + outText);
    }

    [Fact]
    public async Task A_failing_outbound_delivery_never_gets_250()
    {
        var world = new MailWorld();
        var outbound = new RecordingOutboundDelivery { FailWith = new MailHost.Storage.StoreError(MailHost.Storage.StoreErrorCode.Unavailable, "queue down") };
        await using var server = await SmtpTestHost.StartAsync(world, MailProtocol.Submission, MailTlsMode.Implicit, outbound: outbound);
        using var client = await ConnectAsync(server.Port, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync("alice", MailWorld.AlicePassword);

        var send = () => client.SendAsync(MimeMessage.Load(new MemoryStream(RawMessage("out", "x", to: "v@external.example"))));

        var error = (await send.Should().ThrowAsync<SmtpCommandException>()).Which;
        ((int)error.StatusCode).Should().Be(451);
    }
}
