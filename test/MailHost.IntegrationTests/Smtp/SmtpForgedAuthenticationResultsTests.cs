using System.Text;
using MailHost.Hosting;
using MailHost.IntegrationTests.Infrastructure;

namespace MailHost.IntegrationTests.Smtp;

/// <summary>
/// RFC 8601 §5: an incoming Authentication-Results field naming this host is renamed X-Original-Authentication-Results
/// on every way in: the MX with mail authentication off as well as on, and submission (to local and external recipients).
/// </summary>
public sealed class SmtpForgedAuthenticationResultsTests
{
    private const string Forged = "Authentication-Results: MX.Example.COM; spf=pass; dkim=pass; dmarc=pass\r\n";
    private const string Folded = "Authentication-Results:\r\n (ours, really) mx.example.com; dkim=pass header.d=example.com\r\n";
    private const string Foreign = "Authentication-Results: upstream.example; spf=fail\r\n";
    private const string Body = "\r\nAuthentication-Results: mx.example.com; this line is in the body\r\n";

    private static string Message(string from) =>
        Forged + Foreign + $"From: {from}\r\nTo: bob@example.com\r\n" + Folded + "Subject: Trust me\r\n" + Body;

    private static string Renamed(string from) =>
        "X-Original-" + Forged + Foreign + $"From: {from}\r\nTo: bob@example.com\r\n" + "X-Original-" + Folded + "Subject: Trust me\r\n" + Body;

    private static async Task<string> SendAsync(LineClient client, string mailFrom, string recipient, string content)
    {
        await client.SendAsync($"MAIL FROM:<{mailFrom}>\r\nRCPT TO:<{recipient}>\r\nDATA\r\n");
        (await client.ReadLineAsync()).Should().StartWith("250 ");
        (await client.ReadLineAsync()).Should().StartWith("250 ");
        (await client.ReadLineAsync()).Should().StartWith("354 ");
        await client.SendAsync(content + ".\r\n");
        return (await client.ReadLineAsync())!;
    }

    [Fact]
    public async Task On_the_MX_with_mail_authentication_off_the_fields_are_renamed_and_others_kept()
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world, authentication: o => o.Enabled = false);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        await client.ReadLineAsync();
        await client.SendAsync("EHLO c.example\r\n");
        await SmtpMxTests.ReadReplyAsync(client);

        (await SendAsync(client, "someone@elsewhere.example", "bob@example.com", Message("someone@elsewhere.example"))).Should().StartWith("250 ");

        var stored = (await SmtpTestHost.InboxAsync(world.Store, "bob")).Should().ContainSingle().Subject;
        SmtpTestHost.WithoutTraceFields(stored, out _, out var results, out _).Should().Be(Renamed("someone@elsewhere.example"));
        results.Should().BeNull("mail authentication is off, so the server adds no field of its own");
        server.Logs.Entries.Should().ContainSingle(e => e.EventId.Id == 5201 && e.Message.Contains("2 incoming", StringComparison.Ordinal));
    }

    [Fact]
    public async Task On_submission_the_fields_are_renamed_for_local_and_external_recipients()
    {
        var world = new MailWorld();
        var outbound = new RecordingOutboundDelivery();
        await using var server = await SmtpTestHost.StartAsync(world, MailProtocol.Submission, MailTlsMode.None, allowPlaintext: true, outbound: outbound);
        await using var client = await SmtpTestHost.LoginAliceAsync(server);

        (await SendAsync(client, "alice@example.com", "bob@example.com", Message("alice@example.com"))).Should().StartWith("250 ");
        (await SendAsync(client, "alice@example.com", "v@external.example", Message("alice@example.com"))).Should().StartWith("250 ");

        var stored = (await SmtpTestHost.InboxAsync(world.Store, "bob")).Should().ContainSingle().Subject;
        SmtpTestHost.WithoutTraceFields(stored, out _, out _).Should().Be(Renamed("alice@example.com"));
        var queued = Encoding.UTF8.GetString(outbound.Queued.Should().ContainSingle().Subject.Content);
        queued.Should().StartWith("Received: ").And.EndWith(Renamed("alice@example.com"));
    }
}
