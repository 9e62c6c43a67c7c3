using System.Text;
using MailHost.Hosting;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.Smtp;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace MailHost.IntegrationTests.Smtp;

/// <summary>
/// Submission checks the message's From and Sender fields against the authenticated account, as it checks MAIL FROM
/// (RFC 5322 §3.6.2; DMARC and readers go by From): alice may write as her addresses, aliases and subaddresses only.
/// </summary>
public sealed class SmtpSubmissionAuthorTests
{
    private const string NotHersFrom = "550 5.7.1 The From field names an address not owned by the authenticated user";
    private const string NotHersSender = "550 5.7.1 The Sender field names an address not owned by the authenticated user";
    private const string Unparsable = "550 5.7.1 The From field is not a valid address list";

    private static MailWorld World(MailHost.Storage.IMailStore? store = null)
    {
        var world = new MailWorld(store);
        world.Directory.AddAlias("alice", "sales@example.com");
        return world;
    }

    private static Task<TestMailServer<SmtpConnectionHandler>> StartAsync(MailWorld world, Action<SmtpOptions>? smtp = null, RecordingOutboundDelivery? outbound = null)
        => SmtpTestHost.StartAsync(world, MailProtocol.Submission, MailTlsMode.None, allowPlaintext: true, smtp: smtp, outbound: outbound);

    private static Task<LineClient> LoginAsync(TestMailServer<SmtpConnectionHandler> server) => SmtpTestHost.LoginAliceAsync(server);

    private static string Message(string authorFields) =>
        authorFields + "To: bob@example.com\r\nSubject: Plans\r\nDate: Sat, 28 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
        + "Content-Type: text/plain; charset=utf-8\r\n\r\nHello Bob.\r\n";

    /// <summary>One transaction with DATA; the reply to the end of the data.</summary>
    private static async Task<string> SendAsync(LineClient client, string content, string recipient = "bob@example.com")
    {
        await client.SendAsync($"MAIL FROM:<alice@example.com>\r\nRCPT TO:<{recipient}>\r\nDATA\r\n");
        (await client.ReadLineAsync()).Should().Be("250 2.1.0 Sender OK");
        (await client.ReadLineAsync()).Should().Be("250 2.1.5 Recipient OK");
        (await client.ReadLineAsync()).Should().StartWith("354 ");
        await client.SendAsync(content + ".\r\n");
        return (await client.ReadLineAsync())!;
    }

    [Theory]
    [InlineData("From: ceo@other.example\r\n", NotHersFrom)]
    [InlineData("From: Bob <bob@example.com>\r\n", NotHersFrom)]
    [InlineData("From: alice@example.com.other.example\r\n", NotHersFrom)]
    [InlineData("From: alice%other.example@example.com\r\n", NotHersFrom)]
    [InlineData("From: \"alice@example.com\" <ceo@other.example>\r\n", NotHersFrom)]
    [InlineData("From: ceo@other.example (alice@example.com)\r\n", NotHersFrom)]
    [InlineData("From: <@example.com:ceo@other.example>\r\n", NotHersFrom)]
    [InlineData("From: =?utf-8?B?YWxpY2VAZXhhbXBsZS5jb20=?= <ceo@other.example>\r\n", NotHersFrom)]
    [InlineData("From: alice@example.com\r\nSender: ceo@other.example\r\n", NotHersSender)]
    [InlineData("From: alice@example.com, ceo@other.example\r\nSender: alice@example.com\r\n", NotHersFrom)]
    [InlineData("From: Team: alice@example.com, ceo@other.example;\r\nSender: alice@example.com\r\n", NotHersFrom)]
    [InlineData("From: alice@example.com\r\nSender: alice@example.com\r\nFrom: ceo@other.example\r\n", NotHersFrom)]
    [InlineData("From: alice@example.com, sales@example.com\r\n", "550 5.7.1 The From field names several authors and there is no Sender field")]
    [InlineData("From: Undisclosed:;\r\n", "550 5.7.1 The From field names no author and there is no Sender field")]
    [InlineData("From: alice@example.com <ceo@other.example>\r\n", Unparsable)]
    [InlineData("From: =?utf-8?q?ceo=40other.example?=\r\n", Unparsable)]
    [InlineData("From:\r\n", Unparsable)]
    public async Task A_From_or_Sender_field_not_of_the_account_is_refused_after_DATA_and_nothing_is_stored(string fields, string reply)
    {
        var world = World();
        await using var server = await StartAsync(world);
        await using var client = await LoginAsync(server);

        (await SendAsync(client, Message(fields))).Should().Be(reply);

        (await SmtpTestHost.InboxAsync(world.Store, "bob")).Should().BeEmpty();
        var log = server.Logs.Entries.Should().ContainSingle(e => e.EventId.Id == 5009).Subject;
        log.Message.Should().Contain("alice");

        // The session goes on: the refusal ended only that transaction.
        (await SendAsync(client, Message("From: alice@example.com\r\n"))).Should().StartWith("250 2.0.0 ");
    }

    [Theory]
    [InlineData("From: alice@example.com\r\n")]
    [InlineData("From: Alice Liddell <ALICE@Example.COM>\r\n")]
    [InlineData("From: =?utf-8?B?QWxpY2UgTGlkZGVsbA==?= <alice@example.com>\r\n")]
    [InlineData("From: Ünïcödé Alice <alice@example.com>\r\n")]
    [InlineData("From: \"Sales\" <sales@example.com>\r\n")]
    [InlineData("From: alice+news@example.com\r\n")]
    [InlineData("From: alice@example.com\r\nSender: sales@example.com\r\n")]
    [InlineData("From: alice@example.com, Sales <sales@example.com>\r\nSender: alice@example.com\r\n")]
    [InlineData("From: Undisclosed:;\r\nSender: alice@example.com\r\n")]
    [InlineData("")]
    public async Task The_accounts_own_addresses_aliases_and_subaddresses_are_accepted(string fields)
    {
        var world = World();
        await using var server = await StartAsync(world);
        await using var client = await LoginAsync(server);

        (await SendAsync(client, Message(fields))).Should().StartWith("250 2.0.0 ");

        var stored = (await SmtpTestHost.InboxAsync(world.Store, "bob")).Should().ContainSingle().Subject;
        SmtpTestHost.WithoutTraceFields(stored, out _, out _).Should().Be(Message(fields));
    }

    [Theory]
    [InlineData(TestStoreKind.InMemory)]
    [InlineData(TestStoreKind.Sqlite)]
    public async Task BDAT_LAST_is_refused_the_same_way_and_an_external_copy_is_not_queued_on_either_store(TestStoreKind kind)
    {
        await using var store = await TestStore.OpenAsync(kind);
        var world = World(store.Store);
        var outbound = new RecordingOutboundDelivery();
        await using var server = await StartAsync(world, outbound: outbound);
        await using var client = await LoginAsync(server);
        var content = Message("From: CEO <ceo@other.example>\r\n");
        var length = Encoding.UTF8.GetByteCount(content);

        await client.SendAsync($"MAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.com>\r\nRCPT TO:<v@external.example>\r\nBDAT {length} LAST\r\n{content}");
        (await client.ReadLineAsync()).Should().Be("250 2.1.0 Sender OK");
        (await client.ReadLineAsync()).Should().Be("250 2.1.5 Recipient OK");
        (await client.ReadLineAsync()).Should().Be("250 2.1.5 Recipient OK");
        (await client.ReadLineAsync()).Should().Be(NotHersFrom);

        (await SmtpTestHost.InboxAsync(world.MailStore, "bob")).Should().BeEmpty();
        outbound.Queued.Should().BeEmpty();

        // The account's own From goes to both.
        content = Message("From: alice@example.com\r\n");
        length = Encoding.UTF8.GetByteCount(content);
        await client.SendAsync($"MAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.com>\r\nRCPT TO:<v@external.example>\r\nBDAT {length} LAST\r\n{content}");
        for (var i = 0; i < 3; i++)
        {
            (await client.ReadLineAsync()).Should().StartWith("250 2.1.");
        }

        (await client.ReadLineAsync()).Should().StartWith("250 2.0.0 ");
        (await SmtpTestHost.InboxAsync(world.MailStore, "bob")).Should().ContainSingle();
        outbound.Queued.Should().ContainSingle();
    }

    [Fact]
    public async Task With_RequireOwnAddressInHeaderFrom_off_any_From_is_accepted()
    {
        var world = World();
        await using var server = await StartAsync(world, smtp: o => o.RequireOwnAddressInHeaderFrom = false);
        await using var client = await LoginAsync(server);

        (await SendAsync(client, Message("From: ceo@other.example\r\n"))).Should().StartWith("250 2.0.0 ");

        (await SmtpTestHost.InboxAsync(world.Store, "bob")).Should().ContainSingle();
        server.Logs.Entries.Should().ContainSingle(e => e.EventId.Id == 5010 && e.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    [Fact]
    public async Task MailKit_sends_as_alice_and_is_told_550_5_7_1_when_it_writes_as_someone_else()
    {
        var world = World();
        await using var server = await SmtpTestHost.StartAsync(world, MailProtocol.Submission, MailTlsMode.Implicit);
        using var client = new SmtpClient { ServerCertificateValidationCallback = TestCertificate.Validate, Timeout = 15_000 };
        await client.ConnectAsync("127.0.0.1", server.Port, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync("alice", MailWorld.AlicePassword);

        var honest = new MimeMessage();
        honest.From.Add(new MailboxAddress("Alice Liddell", "alice@example.com"));
        honest.To.Add(new MailboxAddress("Bob", "bob@example.com"));
        honest.Subject = "Lunch";
        honest.Body = new TextPart("plain") { Text = "At noon?" };
        await client.SendAsync(honest);

        var forged = new MimeMessage();
        forged.From.Add(new MailboxAddress("The CEO", "ceo@other.example"));
        forged.To.Add(new MailboxAddress("Bob", "bob@example.com"));
        forged.Subject = "Wire the money";
        forged.Body = new TextPart("plain") { Text = "Today." };
        var send = () => client.SendAsync(forged, new MailboxAddress("", "alice@example.com"), [new MailboxAddress("", "bob@example.com")]);
        var refused = (await send.Should().ThrowAsync<SmtpCommandException>()).Which;
        ((int)refused.StatusCode).Should().Be(550);
        refused.Message.Should().Contain("5.7.1");
        await client.DisconnectAsync(true);

        var stored = (await SmtpTestHost.InboxAsync(world.Store, "bob")).Should().ContainSingle().Subject;
        Encoding.UTF8.GetString(stored).Should().Contain("Subject: Lunch");
    }
}
