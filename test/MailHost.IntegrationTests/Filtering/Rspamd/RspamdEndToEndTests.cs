using System.Text;
using MailHost.Hosting;
using MailHost.IntegrationTests.Imap;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MailHost.IntegrationTests.Filtering.Rspamd;

/// <summary>
/// rspamd configured as the host reads it, against a real rspamd: what an SMTP client sees on the MX, what is stored,
/// and IMAP moves into and out of Junk reaching rspamd's learn counters.
/// </summary>
[Collection(nameof(RspamdServer))]
public sealed class RspamdEndToEndTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static Dictionary<string, string?> Settings(RspamdServer rspamd, string? onFailure = null) => new()
    {
        ["Rspamd:Url"] = rspamd.NormalUrl,
        ["Rspamd:ControllerUrl"] = rspamd.ControllerUrl,
        ["Rspamd:Password"] = rspamd.Password,
        ["Rspamd:OnFailure"] = onFailure,
        ["JunkTrainingPerSecond"] = "1000",
    };

    [RspamdFact]
    public async Task GTUBE_is_refused_a_clean_message_is_stored_with_the_spam_fields_and_add_header_goes_to_Junk()
    {
        await using var rspamd = await RspamdServer.StartAsync().WaitAsync(RspamdServer.StartBound);
        var world = new MailWorld();
        await using var server = await FilteredSmtpHost.StartAsync(world, Settings(rspamd));
        await using var client = await FilteredSmtpHost.ConnectAsync(server);

        (await FilteredSmtpHost.SendAsync(client, Encoding.ASCII.GetString(RspamdTestMessages.GtubeMessage("alice@example.com"))))
            .Should().Be("554 5.7.1 Gtube pattern", rspamd.Output);
        (await FilteredSmtpHost.SendAsync(client, Encoding.ASCII.GetString(RspamdTestMessages.Clean("alice@example.com")))).Should().StartWith("250 ");

        var stored = (await FilteredSmtpHost.MailboxAsync(world.Store, "alice", MailboxName.Inbox)).Single().Text;
        stored.Should().MatchRegex(@"\r\nX-Spam-Score: -?\d+\.\d\d / 15\.00\r\n").And.Contain("\r\nX-Spam-Status: No, score=")
            .And.Contain("\r\nX-Spam-Action: no action\r\n").And.EndWith("Alice\r\n");

        await client.SendAsync("EHLO client.example.net\r\n");
        (await FilteredSmtpHost.ReplyAsync(client)).Should().StartWith("250 ");
        await client.SendAsync($"MAIL FROM:<{RspamdServer.AddHeaderSender}>\r\n");
        (await FilteredSmtpHost.ReplyAsync(client)).Should().StartWith("250 ");
        await client.SendAsync("RCPT TO:<alice@example.com>\r\n");
        (await FilteredSmtpHost.ReplyAsync(client)).Should().StartWith("250 ");
        await client.SendAsync("DATA\r\n");
        (await FilteredSmtpHost.ReplyAsync(client)).Should().StartWith("354 ");
        await client.SendAsync(Encoding.ASCII.GetString(RspamdTestMessages.Clean("alice@example.com", "Junk by rspamd")) + ".\r\n");
        (await FilteredSmtpHost.ReplyAsync(client)).Should().StartWith("250 ");

        var junk = (await FilteredSmtpHost.MailboxAsync(world.Store, "alice", "Junk")).Single();
        junk.Keywords.Should().Contain("$Junk");
        junk.Text.Should().Contain("\r\nX-Spam: Yes\r\n").And.Contain("Subject: Junk by rspamd");
    }

    [RspamdFact]
    public async Task With_rspamd_stopped_mid_test_the_configured_policy_applies()
    {
        var rspamd = await RspamdServer.StartAsync().WaitAsync(RspamdServer.StartBound);
        await using (rspamd)
        {
            var world = new MailWorld();
            await using var strict = await FilteredSmtpHost.StartAsync(world, Settings(rspamd));
            await using var lenient = await FilteredSmtpHost.StartAsync(world, Settings(rspamd, onFailure: "Accept"));
            await using var strictClient = await FilteredSmtpHost.ConnectAsync(strict);
            await using var lenientClient = await FilteredSmtpHost.ConnectAsync(lenient);
            var message = Encoding.ASCII.GetString(RspamdTestMessages.Clean("alice@example.com"));
            (await FilteredSmtpHost.SendAsync(strictClient, message)).Should().StartWith("250 ", "rspamd is up");

            await rspamd.StopAsync();

            (await FilteredSmtpHost.SendAsync(strictClient, message)).Should().Be("451 4.7.1 The message could not be checked now, try again later");
            (await FilteredSmtpHost.SendAsync(lenientClient, message)).Should().StartWith("250 ");
            var inbox = await FilteredSmtpHost.MailboxAsync(world.Store, "alice", MailboxName.Inbox);
            inbox.Should().HaveCount(2);
            inbox[1].Text.Should().Contain("\r\nX-MailHost-Filter-Unchecked: rspamd; ");
        }
    }

    [RspamdFact]
    public async Task IMAP_MOVE_into_Junk_and_back_out_reaches_rspamds_learn_counters()
    {
        await using var rspamd = await RspamdServer.StartAsync().WaitAsync(RspamdServer.StartBound);
        var world = new MailWorld();
        await world.DeliverAsync("alice", Encoding.ASCII.GetString(RspamdTestMessages.Learnable(spam: true, seed: 41)));
        await world.DeliverAsync("alice", Encoding.ASCII.GetString(RspamdTestMessages.Learnable(spam: false, seed: 42)));
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(Settings(rspamd).ToDictionary(p => "MailHost:Filtering:" + p.Key, p => p.Value))
            .Build();
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true, configure: services => services.AddMailHostFiltering(configuration));
        await using var client = await ImapTestServer.LoginAsync(server);
        var before = await rspamd.ReadLearnCountersAsync().WaitAsync(Bound);

        await client.CommandAsync("a", "SELECT INBOX");
        (await client.CommandAsync("b", "MOVE 1 Junk"))[^1].Should().Be("b OK MOVE completed");
        var afterSpam = await WaitForAsync(rspamd, c => c.SpamRevision > before.SpamRevision);
        afterSpam.Should().Be(before with { Learned = before.Learned + 1, SpamRevision = before.SpamRevision + 1 }, rspamd.Output);

        // The ham, moved to Junk by mistake and rescued: learned as spam first, then as ham.
        (await client.CommandAsync("c", "MOVE 1 Junk"))[^1].Should().Be("c OK MOVE completed");
        await WaitForAsync(rspamd, c => c.SpamRevision > afterSpam.SpamRevision);
        await client.CommandAsync("d", "SELECT Junk");
        (await client.CommandAsync("e", "UID SEARCH SUBJECT \"Project notes\""))[0].Should().MatchRegex(@"^\* SEARCH \d+$");
        (await client.CommandAsync("f", "MOVE 2 INBOX"))[^1].Should().Be("f OK MOVE completed");
        var afterHam = await WaitForAsync(rspamd, c => c.HamRevision > before.HamRevision);
        afterHam.HamRevision.Should().Be(before.HamRevision + 1);
    }

    private static async Task<RspamdLearnCounters> WaitForAsync(RspamdServer rspamd, Func<RspamdLearnCounters, bool> condition)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (true)
        {
            var counters = await rspamd.ReadLearnCountersAsync().WaitAsync(Bound);
            if (condition(counters))
            {
                return counters;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"rspamd's counters stayed at {counters}\n{rspamd.Output}");
            }

            await Task.Delay(100);
        }
    }
}
