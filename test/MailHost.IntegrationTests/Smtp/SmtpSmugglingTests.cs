using System.Text;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.Protocols.Text;

namespace MailHost.IntegrationTests.Smtp;

/// <summary>SECURITY B1/B2 (T06, T07): SMTP smuggling end-of-data variants and bare line endings, over a real socket.</summary>
public sealed class SmtpSmugglingTests
{
    public static TheoryData<string> EndOfDataVariants =>
    [
        "\n.\n", "\n.\r", "\r.\n", "\r.\r", "\n.\r\n", "\r.\r\n", "\r\n.\r\r\n", "\r\r\n.\r\r\n", "\r\n\x00.\r\n",
    ];

    [Theory]
    [MemberData(nameof(EndOfDataVariants))]
    public async Task Each_smuggling_variant_gives_one_message_with_the_smuggled_text_inside(string variant)
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        await client.ReadLineAsync();
        await client.SendAsync("EHLO attacker.example\r\n");
        await SmtpMxTests.ReadReplyAsync(client);
        await client.SendAsync("MAIL FROM:<a@attacker.example>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n");
        await SmtpMxTests.ReadReplyAsync(client);
        await SmtpMxTests.ReadReplyAsync(client);
        (await client.ReadLineAsync()).Should().StartWith("354");

        await client.SendAsync("From: a@attacker.example\r\nSubject: first\r\n\r\nTESTING" + variant
            + "mail FROM:<smuggled@bank.example>\r\nrcpt TO:<bob@example.com>\r\ndata\r\nFrom: ceo@bank.example\r\nSubject: smuggled\r\n\r\nPay now\r\n.\r\nQUIT\r\n");
        var replies = await client.ReadToEndAsync(TimeSpan.FromSeconds(10));

        replies.Should().MatchRegex("^250 2\\.0\\.0 OK: queued as [0-9a-f]{16}\r\n221 2\\.0\\.0 [^\r\n]*\r\n$", "exactly one 250 for the whole input, no reply to the smuggled MAIL");
        (await SmtpTestHost.InboxAsync(world.Store, "bob")).Should().BeEmpty();
        var alice = await SmtpTestHost.InboxAsync(world.Store, "alice");
        alice.Should().ContainSingle();
        var body = SmtpTestHost.WithoutTraceFields(alice[0], out _, out _);
        body.Should().Contain("mail FROM:<smuggled@bank.example>").And.Contain("Subject: smuggled");
        body.Replace("\r\n", "", StringComparison.Ordinal).Should().NotContain("\r").And.NotContain("\n", "bare CR and LF are normalised to CRLF");
    }

    [Theory]
    [MemberData(nameof(EndOfDataVariants))]
    public async Task In_reject_mode_each_variant_is_refused_and_nothing_is_stored(string variant)
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world, smtp: o => o.BareLineEndings = DotBareLineEnding.Reject);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        await client.ReadLineAsync();
        await client.SendAsync("HELO attacker.example\r\nMAIL FROM:<a@attacker.example>\r\nRCPT TO:<alice@example.com>\r\n");
        await client.ReadLineAsync();
        await client.ReadLineAsync();
        await client.ReadLineAsync();
        await client.SendAsync("DATA\r\n");
        (await client.ReadLineAsync()).Should().StartWith("354");

        await client.SendAsync("Subject: first\r\n\r\nTESTING" + variant + "mail FROM:<smuggled@bank.example>\r\nrcpt TO:<bob@example.com>\r\ndata\r\nSubject: smuggled\r\n\r\nPay\r\n.\r\nQUIT\r\n");
        var replies = await client.ReadToEndAsync(TimeSpan.FromSeconds(10));

        if (variant == "\r\n\x00.\r\n")
        {
            // A NUL is not a line ending: the dot line is text and the message is accepted as one.
            replies.Should().StartWith("250 2.0.0");
            (await SmtpTestHost.InboxAsync(world.Store, "alice")).Should().ContainSingle();
        }
        else
        {
            replies.Should().StartWith("550 5.6.11 Bare CR or LF in message text is not allowed\r\n221 ");
            (await SmtpTestHost.InboxAsync(world.Store, "alice")).Should().BeEmpty();
        }

        (await SmtpTestHost.InboxAsync(world.Store, "bob")).Should().BeEmpty();
    }

    [Fact]
    public async Task A_bare_LF_in_a_command_line_never_yields_two_commands_SECURITY_B2()
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        await client.ReadLineAsync();

        await client.SendAsync("EHLO a\nMAIL FROM:<x@attacker.example>\r\nNOOP\r\n");

        (await client.ReadLineAsync()).Should().Be("500 5.5.2 Bare CR or LF in command line");
        (await client.ReadLineAsync()).Should().Be("250 2.0.0 OK");
    }

    [Fact]
    public async Task A_bare_LF_in_a_header_does_not_create_a_separate_field_SECURITY_B2()
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        await client.ReadLineAsync();
        await client.SendAsync("HELO a.example\r\nMAIL FROM:<a@a.example>\r\nRCPT TO:<alice@example.com>\r\n");
        for (var i = 0; i < 3; i++)
        {
            await client.ReadLineAsync();
        }

        await client.SendAsync("DATA\r\n");
        await client.ReadLineAsync();
        await client.SendAsync("Subject: hi\nX-Injected: smuggled\r\n\r\nbody\r\n.\r\n");
        (await client.ReadLineAsync()).Should().StartWith("250");

        var stored = Encoding.UTF8.GetString((await SmtpTestHost.InboxAsync(world.Store, "alice"))[0]);

        // Normalised as a fold: the text stays inside Subject, no X-Injected field appears, and no bare LF survives
        // for a later hop to split differently.
        stored.Should().Contain("Subject: hi\r\n X-Injected: smuggled\r\n");
        stored.Should().NotContain("\nX-Injected");
        stored.Replace("\r\n", "", StringComparison.Ordinal).Should().NotContain("\n");
        MimeKit.MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(stored))).Headers.Contains("X-Injected").Should().BeFalse();
    }
}
