using System.Net;
using System.Text;
using MailHost.Dns;
using MailHost.Hosting;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.Smtp;
using MailHost.Storage;
using MailHost.Tests.Delivery;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace MailHost.IntegrationTests.Smtp;

/// <summary>
/// SPF, DKIM and DMARC on the MX endpoint over real sockets, with a fake DNS zone: the stored message carries
/// one Authentication-Results field of this server at the top and is otherwise byte-identical; enforcement
/// refuses or quarantines; submission adds nothing.
/// </summary>
public sealed class SmtpMailAuthenticationTests
{
    private static readonly Lazy<AsymmetricCipherKeyPair> Key = new(() =>
    {
        var generator = new RsaKeyPairGenerator();
        generator.Init(new KeyGenerationParameters(new SecureRandom(), 2048));
        return generator.GenerateKeyPair();
    });

    /// <summary>sender.example: SPF allows 127.0.0.1 (the test client), DKIM key "sel", DMARC as given.</summary>
    private static FakeDnsZone Zone(string dmarc = "v=DMARC1; p=reject", string spf = "v=spf1 ip4:127.0.0.1 -all")
    {
        var zone = new FakeDnsZone();
        zone.Txt["sender.example"] = [spf];
        zone.Txt["_dmarc.sender.example"] = [dmarc];
        zone.Txt["sel._domainkey.sender.example"] =
            ["v=DKIM1; k=rsa; p=" + Convert.ToBase64String(SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(Key.Value.Public).GetDerEncoded())];
        return zone;
    }

    private static byte[] Message(bool sign, string body = "Hello from sender.example.\r\n", string extraHeaders = "")
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("news@sender.example"));
        message.To.Add(MailboxAddress.Parse("alice@example.com"));
        message.Subject = "Authenticated";
        message.Date = new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
        message.MessageId = Guid.NewGuid().ToString("N") + "@sender.example";
        message.Body = new TextPart("plain") { Text = body };
        if (sign)
        {
            var signer = new DkimSigner(Key.Value.Private, "sender.example", "sel")
            {
                HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
                BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            };
            signer.Sign(message, [HeaderId.From, HeaderId.To, HeaderId.Subject, HeaderId.Date, HeaderId.MessageId]);
        }

        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        using var stream = new MemoryStream();
        message.WriteTo(options, stream);
        return [.. Encoding.ASCII.GetBytes(extraHeaders), .. stream.ToArray()];
    }

    /// <summary>Sends one message with DATA (dot-stuffed) and returns the final reply line.</summary>
    private static async Task<string> SendAsync(TestMailServer<SmtpConnectionHandler> server, byte[] message, string mailFrom = "bounces@sender.example")
    {
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        (await client.ReadLineAsync()).Should().StartWith("220 ");
        await client.SendAsync("EHLO client.sender.example\r\n");
        await SmtpMxTests.ReadReplyAsync(client);
        await client.SendAsync($"MAIL FROM:<{mailFrom}>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n");
        (await SmtpMxTests.ReadReplyAsync(client))[^1].Should().StartWith("250 2.1.0");
        (await SmtpMxTests.ReadReplyAsync(client))[^1].Should().StartWith("250 2.1.5");
        (await SmtpMxTests.ReadReplyAsync(client))[^1].Should().StartWith("354");
        var text = Encoding.Latin1.GetString(message);
        var stuffed = (text.StartsWith('.') ? "." : "") + text.Replace("\r\n.", "\r\n..", StringComparison.Ordinal);
        await client.SendRawAsync([.. Encoding.Latin1.GetBytes(stuffed), .. ".\r\n"u8]);
        var reply = (await SmtpMxTests.ReadReplyAsync(client))[^1];
        await client.SendAsync("QUIT\r\n");
        return reply;
    }

    private static async Task<List<(byte[] Content, IReadOnlyList<string> Keywords)>> MailboxAsync(IMailStore store, string account, string mailbox)
    {
        var opened = await store.OpenAccountAsync(account, CancellationToken.None);
        await using var mailAccount = opened.Value;
        var view = await mailAccount.OpenMailboxAsync(mailbox, examine: true, CancellationToken.None);
        view.IsSuccess.Should().BeTrue();
        await using var box = view.Value;
        var messages = new List<(byte[], IReadOnlyList<string>)>();
        await foreach (var message in box.FetchAsync(UidSet.All, FetchOptions.Default, CancellationToken.None))
        {
            await using var content = (await message.Content.OpenAsync(CancellationToken.None))!;
            using var copy = new MemoryStream();
            await content.CopyToAsync(copy);
            messages.Add((copy.ToArray(), message.Keywords));
        }

        return messages;
    }

    private static int FieldCount(string stored, string name)
        => stored[..stored.IndexOf("\r\n\r\n", StringComparison.Ordinal)].Split("\r\n").Count(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase));

    [Fact]
    public async Task The_stored_message_has_one_Authentication_Results_field_at_the_top_and_is_otherwise_unchanged()
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world, dns: Zone());
        var message = Message(sign: true, body: "Hello.\r\n.a line with a leading dot\r\n");
        (await SendAsync(server, message)).Should().MatchRegex("^250 2.0.0 OK: queued as ");

        var stored = (await SmtpTestHost.InboxAsync(world.Store, "alice")).Should().ContainSingle().Subject;
        var content = SmtpTestHost.WithoutTraceFields(stored, out var returnPath, out var results, out var received);
        Encoding.Latin1.GetBytes(content).Should().Equal(message);
        returnPath.Should().Be("Return-Path: <bounces@sender.example>\r\n");
        received.Should().StartWith("Received: from client.sender.example ([127.0.0.1])");
        results.Should().Be(
            "Authentication-Results: mx.example.com;\r\n" +
            "\tspf=pass (sender.example: matched ip4:127.0.0.1) smtp.mailfrom=bounces@sender.example;\r\n" +
            "\tdkim=pass (signature verified) header.d=sender.example header.s=sel;\r\n" +
            "\tdmarc=pass (p=reject dis=none; aligned DKIM pass for sender.example) header.from=sender.example\r\n");
        FieldCount(Encoding.Latin1.GetString(stored), "Authentication-Results").Should().Be(1);
    }

    [Fact]
    public async Task A_message_large_enough_to_spool_to_disk_verifies_and_stays_byte_exact()
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world, dns: Zone(), smtp: o => o.SpoolMemoryThreshold = 16 * 1024);
        var line = new string('x', 76) + "\r\n";
        var message = Message(sign: true, body: string.Concat(Enumerable.Repeat(line, 6000)));
        message.Length.Should().BeGreaterThan(400_000);
        (await SendAsync(server, message)).Should().StartWith("250 ");

        var stored = (await SmtpTestHost.InboxAsync(world.Store, "alice")).Single();
        var content = SmtpTestHost.WithoutTraceFields(stored, out _, out var results, out _);
        Encoding.Latin1.GetBytes(content).Should().Equal(message);
        results.Should().Contain("\tdkim=pass ").And.Contain("\tdmarc=pass ");
    }

    [Fact]
    public async Task A_forged_Authentication_Results_field_with_our_authserv_id_is_renamed_RFC_8601_section_5()
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world, dns: Zone());
        var forged = "Authentication-Results: mx.example.com; spf=pass; dkim=pass; dmarc=pass\r\n" +
                     "Authentication-Results: upstream.example; spf=fail\r\n";
        var message = Message(sign: false, extraHeaders: forged);
        (await SendAsync(server, message, mailFrom: "someone@elsewhere.example")).Should().StartWith("250 ");

        var stored = Encoding.Latin1.GetString((await SmtpTestHost.InboxAsync(world.Store, "alice")).Single());
        var content = SmtpTestHost.WithoutTraceFields(Encoding.Latin1.GetBytes(stored), out _, out var results, out _);
        content.Should().Be("X-Original-" + Encoding.Latin1.GetString(message));
        results.Should().Contain("\tspf=none ").And.Contain("\tdkim=none ").And.Contain("\tdmarc=fail ");
        FieldCount(stored, "Authentication-Results").Should().Be(2, "ours and the one of another server");
        stored.Should().Contain("\r\nAuthentication-Results: upstream.example; spf=fail\r\n");
        stored.Should().Contain("\r\nX-Original-Authentication-Results: mx.example.com; spf=pass; dkim=pass; dmarc=pass\r\n");
    }

    [Fact]
    public async Task With_enforcement_a_p_reject_failure_gets_550_5_7_1_and_nothing_is_stored()
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world, dns: Zone(), authentication: o => o.DmarcEnforcement = true);
        var reply = await SendAsync(server, Message(sign: false), mailFrom: "someone@elsewhere.example");
        reply.Should().Be("550 5.7.1 Message rejected by the DMARC policy of sender.example");
        (await SmtpTestHost.InboxAsync(world.Store, "alice")).Should().BeEmpty();
        (await MailboxAsync(world.Store, "alice", "Junk")).Should().BeEmpty();
    }

    [Fact]
    public async Task With_enforcement_a_p_quarantine_failure_goes_to_Junk()
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world, dns: Zone("v=DMARC1; p=quarantine"), authentication: o => o.DmarcEnforcement = true);
        (await SendAsync(server, Message(sign: false), mailFrom: "someone@elsewhere.example")).Should().StartWith("250 ");
        (await SmtpTestHost.InboxAsync(world.Store, "alice")).Should().BeEmpty();
        var junk = (await MailboxAsync(world.Store, "alice", "Junk")).Should().ContainSingle().Subject;
        junk.Keywords.Should().Contain("$Junk");
        Encoding.Latin1.GetString(junk.Content).Should().Contain("\tdmarc=fail (p=quarantine dis=quarantine; ");

        // A passing message from the same domain still goes to INBOX.
        (await SendAsync(server, Message(sign: true))).Should().StartWith("250 ");
        (await SmtpTestHost.InboxAsync(world.Store, "alice")).Should().ContainSingle();
    }

    [Fact]
    public async Task Without_enforcement_a_failure_is_delivered_to_INBOX_with_dmarc_fail_recorded()
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world, dns: Zone());
        (await SendAsync(server, Message(sign: false), mailFrom: "someone@elsewhere.example")).Should().StartWith("250 ");
        var stored = (await SmtpTestHost.InboxAsync(world.Store, "alice")).Should().ContainSingle().Subject;
        SmtpTestHost.WithoutTraceFields(stored, out _, out var results, out _);
        results.Should().Contain("\tdmarc=fail (p=reject dis=none; no aligned identifier passed) header.from=sender.example\r\n");
    }

    [Fact]
    public async Task When_DNS_does_not_answer_mail_still_flows_with_temperror()
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(
            world,
            dns: new SilentResolver(),
            authentication: o =>
            {
                o.DnsTimeout = TimeSpan.FromMilliseconds(200);
                o.TimeBudget = TimeSpan.FromMilliseconds(600);
                o.DmarcEnforcement = true;
            });
        (await SendAsync(server, Message(sign: true))).Should().StartWith("250 ");
        var stored = (await SmtpTestHost.InboxAsync(world.Store, "alice")).Should().ContainSingle().Subject;
        SmtpTestHost.WithoutTraceFields(stored, out _, out var results, out _);
        results.Should().Contain("\tspf=temperror ").And.Contain("\tdkim=temperror ").And.Contain("\tdmarc=temperror ");
    }

    [Fact]
    public async Task With_authentication_disabled_nothing_is_added()
    {
        var world = new MailWorld();
        var zone = Zone();
        await using var server = await SmtpTestHost.StartAsync(world, dns: zone, authentication: o => o.Enabled = false);
        (await SendAsync(server, Message(sign: true))).Should().StartWith("250 ");
        var stored = (await SmtpTestHost.InboxAsync(world.Store, "alice")).Single();
        SmtpTestHost.WithoutTraceFields(stored, out _, out var results, out _);
        results.Should().BeNull();
        zone.Queries.Should().Be(0);
    }

    [Fact]
    public async Task The_submission_endpoint_adds_no_Authentication_Results()
    {
        var world = new MailWorld();
        var zone = Zone();
        await using var server = await SmtpTestHost.StartAsync(world, MailProtocol.Submission, MailTlsMode.Implicit, dns: zone);
        using var client = new SmtpClient { ServerCertificateValidationCallback = TestCertificate.Validate, Timeout = 15_000 };
        await client.ConnectAsync("127.0.0.1", server.Port, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync("alice@example.com", MailWorld.AlicePassword);
        var message = MimeMessage.Load(new MemoryStream(Encoding.ASCII.GetBytes("From: alice@example.com\r\nTo: bob@example.com\r\nSubject: s\r\n\r\nhi\r\n")));
        await client.SendAsync(message);
        await client.DisconnectAsync(true);

        var stored = (await SmtpTestHost.InboxAsync(world.Store, "bob")).Should().ContainSingle().Subject;
        SmtpTestHost.WithoutTraceFields(stored, out _, out var results, out _);
        results.Should().BeNull();
        Encoding.ASCII.GetString(stored).Should().NotContain("Authentication-Results");
        zone.Queries.Should().Be(0);
    }

    private sealed class SilentResolver : IDnsResolver
    {
        public ValueTask<DnsLookup<DnsMxRecord>> ResolveMxAsync(string domain, CancellationToken cancellationToken) => NeverAsync<DnsMxRecord>(cancellationToken);

        public ValueTask<DnsLookup<IPAddress>> ResolveAddressesAsync(string host, CancellationToken cancellationToken) => NeverAsync<IPAddress>(cancellationToken);

        public ValueTask<DnsLookup<string>> ResolveTxtAsync(string name, CancellationToken cancellationToken) => NeverAsync<string>(cancellationToken);

        private static async ValueTask<DnsLookup<T>> NeverAsync<T>(CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return DnsLookup<T>.Without(DnsLookupStatus.TemporaryFailure);
        }
    }
}
