using System.Text;
using MailHost.Filtering;
using MailHost.Hosting;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.IntegrationTests.Smtp;
using MailHost.Smtp;
using MailHost.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace MailHost.IntegrationTests.Filtering;

/// <summary>
/// The inbound filter pipeline on the MX endpoint over real sockets: each stage's verdicts become the RFC 5321
/// replies, header changes and dispositions reach the store, and a filter that fails follows its policy.
/// </summary>
public sealed class InboundFilterPipelineTests
{
    private const string Message = "From: sender@remote.example\r\nTo: alice@example.com\r\nSubject: hello\r\n\r\nBody line\r\n";

    private static Task<TestMailServer<SmtpConnectionHandler>> StartAsync(MailWorld world, Action<InboundFilteringOptions>? filtering = null, MailProtocol protocol = MailProtocol.Smtp, params IInboundMessageFilter[] filters)
        => SmtpTestHost.StartAsync(world, protocol: protocol, allowPlaintext: protocol == MailProtocol.Submission, configure: services =>
        {
            foreach (var filter in filters)
            {
                services.AddSingleton(filter);
            }

            if (filtering is not null)
            {
                services.Configure(filtering);
            }
        });

    private static Task<string> ReplyAsync(LineClient client) => FilteredSmtpHost.ReplyAsync(client);

    private static Task<string> SendAsync(LineClient client, string content = Message) => FilteredSmtpHost.SendAsync(client, content);

    private static Task<LineClient> ConnectAsync(TestMailServer<SmtpConnectionHandler> server) => FilteredSmtpHost.ConnectAsync(server);

    private static Task<List<(string Text, IReadOnlyCollection<string> Keywords)>> MailboxAsync(IMailStore store, string account, string mailbox)
        => FilteredSmtpHost.MailboxAsync(store, account, mailbox);

    [Fact]
    public async Task A_connection_refused_at_connect_is_greeted_with_554_and_answered_503_until_QUIT()
    {
        var world = new MailWorld();
        var filter = new ScriptedFilter("list") { OnConnect = _ => InboundFilterVerdict.Reject("Client address is listed by bl.example") };
        await using var server = await StartAsync(world, filters: filter);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);

        (await client.ReadLineAsync()).Should().Be("554 " + SmtpTestHost.Hostname + " Client address is listed by bl.example");
        await client.SendAsync("EHLO client.example.net\r\n");
        (await ReplyAsync(client)).Should().Be("503 5.5.1 Bad sequence of commands: this connection was refused");
        await client.SendAsync("MAIL FROM:<a@remote.example>\r\n");
        (await ReplyAsync(client)).Should().StartWith("503 ");
        await client.SendAsync("QUIT\r\n");
        (await ReplyAsync(client)).Should().StartWith("221 ");
        (await client.ReadLineAsync()).Should().BeNull("the server closes after QUIT");
    }

    [Fact]
    public async Task A_temporary_refusal_at_connect_is_421_and_the_connection_closes()
    {
        var world = new MailWorld();
        var filter = new ScriptedFilter("list") { OnConnect = _ => InboundFilterVerdict.TempFail("Try later") };
        await using var server = await StartAsync(world, filters: filter);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);

        (await client.ReadLineAsync()).Should().Be("421 " + SmtpTestHost.Hostname + " Try later");
        (await client.ReadLineAsync()).Should().BeNull();
    }

    [Fact]
    public async Task Refusals_at_HELO_MAIL_and_RCPT_use_the_filter_reply_and_leave_the_session_usable()
    {
        var world = new MailWorld();
        var filter = new ScriptedFilter("policy")
        {
            OnHelo = s => s.HeloName == "bad.example" ? InboundFilterVerdict.Reject("Bad HELO") : InboundFilterVerdict.Accept,
            OnMail = e => e.Sender == "spammer@remote.example" ? InboundFilterVerdict.Reject("Sender blocked", 553, "5.7.1") : InboundFilterVerdict.Accept,
            OnRecipient = r => r.StartsWith("bob", StringComparison.Ordinal) ? InboundFilterVerdict.TempFail("Bob is resting") : InboundFilterVerdict.Accept,
        };
        await using var server = await StartAsync(world, filters: filter);
        await using var client = await ConnectAsync(server);

        await client.SendAsync("EHLO bad.example\r\n");
        (await ReplyAsync(client)).Should().Be("550 5.7.1 Bad HELO");
        await client.SendAsync("MAIL FROM:<sender@remote.example>\r\n");
        (await ReplyAsync(client)).Should().StartWith("503 ", "a refused EHLO leaves the client unidentified");
        await client.SendAsync("EHLO good.example\r\n");
        (await ReplyAsync(client)).Should().StartWith("250 ");
        await client.SendAsync("MAIL FROM:<spammer@remote.example>\r\n");
        (await ReplyAsync(client)).Should().Be("553 5.7.1 Sender blocked");
        await client.SendAsync("MAIL FROM:<sender@remote.example>\r\n");
        (await ReplyAsync(client)).Should().Be("250 2.1.0 Sender OK");
        await client.SendAsync("RCPT TO:<bob@example.com>\r\n");
        (await ReplyAsync(client)).Should().Be("451 4.7.1 Bob is resting");
        await client.SendAsync("RCPT TO:<alice@example.com>\r\n");
        (await ReplyAsync(client)).Should().Be("250 2.1.5 Recipient OK");
        await client.SendAsync("DATA\r\n");
        (await ReplyAsync(client)).Should().StartWith("354 ");
        await client.SendAsync(Message + ".\r\n");
        (await ReplyAsync(client)).Should().StartWith("250 ");

        (await MailboxAsync(world.Store, "alice", MailboxName.Inbox)).Should().ContainSingle();
        (await MailboxAsync(world.Store, "bob", MailboxName.Inbox)).Should().BeEmpty("the refused recipient gets nothing");
        filter.Calls.Should().Equal("connect", "helo", "helo", "mail", "mail", "rcpt:bob@example.com", "rcpt:alice@example.com", "message");
    }

    [Theory]
    [InlineData(InboundFilterAction.Reject, "554 5.7.1 Spam detected")]
    [InlineData(InboundFilterAction.TempFail, "451 4.7.1 Spam detected")]
    public async Task A_message_refused_by_a_filter_is_not_stored(InboundFilterAction action, string expected)
    {
        var world = new MailWorld();
        var filter = new ScriptedFilter("spam")
        {
            OnMessage = (_, _) => Task.FromResult(action == InboundFilterAction.Reject ? InboundFilterVerdict.Reject("Spam detected", 554) : InboundFilterVerdict.TempFail("Spam detected")),
        };
        await using var server = await StartAsync(world, filters: filter);
        await using var client = await ConnectAsync(server);

        (await SendAsync(client)).Should().Be(expected);
        (await MailboxAsync(world.Store, "alice", MailboxName.Inbox)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_message_sent_with_BDAT_is_judged_like_one_sent_with_DATA()
    {
        var world = new MailWorld();
        var filter = new ScriptedFilter("spam")
        {
            OnMessage = (_, text) => Task.FromResult(text.Contains("viagra", StringComparison.Ordinal) ? InboundFilterVerdict.Reject("Spam detected", 554) : InboundFilterVerdict.Accept),
        };
        await using var server = await StartAsync(world, filters: filter);
        await using var client = await ConnectAsync(server);
        await client.SendAsync("EHLO client.example.net\r\n");
        await ReplyAsync(client);

        foreach (var (body, expected) in new[] { ("cheap viagra\r\n", "554 5.7.1 Spam detected"), ("hello\r\n", "250 ") })
        {
            var content = "Subject: chunked\r\n\r\n" + body;
            await client.SendAsync("MAIL FROM:<sender@remote.example>\r\nRCPT TO:<alice@example.com>\r\n");
            (await ReplyAsync(client)).Should().StartWith("250 ");
            (await ReplyAsync(client)).Should().StartWith("250 ");
            await client.SendAsync($"BDAT {content.Length} LAST\r\n{content}");
            (await ReplyAsync(client)).Should().StartWith(expected);
        }

        (await MailboxAsync(world.Store, "alice", MailboxName.Inbox)).Single().Text.Should().EndWith("Subject: chunked\r\n\r\nhello\r\n");
    }

    [Fact]
    public async Task Every_filter_reads_the_whole_message_with_the_Received_field_and_header_changes_reach_the_store()
    {
        var world = new MailWorld();
        string? seen = null;
        var first = new ScriptedFilter("first", order: 10)
        {
            OnMessage = (_, text) => Task.FromResult(InboundFilterVerdict.Accept.WithHeaders(
                InboundHeaderChange.Add("X-Spam-Score", "1.5 / 15"),
                InboundHeaderChange.Replace("Subject", "[checked] hello"),
                InboundHeaderChange.Remove("X-Tracking"))),
        };
        var second = new ScriptedFilter("second", order: 20)
        {
            OnMessage = (envelope, text) =>
            {
                seen = text;
                envelope.Recipients.Should().Equal("alice@example.com");
                return Task.FromResult(InboundFilterVerdict.Accept.WithHeaders(InboundHeaderChange.Add("X-Virus-Scanned", "clean")));
            },
        };
        await using var server = await StartAsync(world, filters: [second, first]);
        await using var client = await ConnectAsync(server);

        var content = "X-Tracking: 1\r\nFrom: sender@remote.example\r\nSubject: hello\r\nX-Tracking: 2\r\n\tfolded\r\n\r\nBody line\r\n";
        (await SendAsync(client, content)).Should().StartWith("250 ");

        seen.Should().StartWith("Received: from client.example.net").And.EndWith(content, "the filter reads the message as it arrived here");
        var stored = (await MailboxAsync(world.Store, "alice", MailboxName.Inbox)).Single().Text;
        var body = SmtpTestHost.WithoutTraceFields(Encoding.UTF8.GetBytes(stored), out _, out _);
        body.Should().Be("X-Spam-Score: 1.5 / 15\r\nX-Virus-Scanned: clean\r\nFrom: sender@remote.example\r\nSubject: [checked] hello\r\n\r\nBody line\r\n");
        first.Calls.Should().Contain("message");
    }

    [Theory]
    [InlineData(InboundFilterAction.Junk)]
    [InlineData(InboundFilterAction.Quarantine)]
    public async Task Junk_delivers_to_the_Junk_mailbox_with_the_keyword_and_quarantine_to_the_quarantine_account(InboundFilterAction action)
    {
        var world = new MailWorld();
        var filter = new ScriptedFilter("spam") { OnMessage = (_, _) => Task.FromResult(InboundFilterVerdict.Of(action, "score=9")) };
        await using var server = await StartAsync(world, o => o.QuarantineAccount = "bob", filters: filter);
        await using var client = await ConnectAsync(server);

        (await SendAsync(client)).Should().StartWith("250 ");

        (await MailboxAsync(world.Store, "alice", MailboxName.Inbox)).Should().BeEmpty();
        if (action == InboundFilterAction.Junk)
        {
            var junk = (await MailboxAsync(world.Store, "alice", "Junk")).Single();
            junk.Keywords.Should().Contain("$Junk");
        }
        else
        {
            (await MailboxAsync(world.Store, "alice", "Junk")).Should().BeEmpty();
            var held = (await MailboxAsync(world.Store, "bob", "Quarantine")).Single().Text;
            held.Should().Contain("X-MailHost-Quarantine: spam: score=9\r\n")
                .And.Contain("X-MailHost-Original-Recipients: alice@example.com\r\n")
                .And.Contain("X-MailHost-Original-Sender: sender@remote.example\r\n")
                .And.EndWith("Subject: hello\r\n\r\nBody line\r\n");
        }
    }

    [Fact]
    public async Task The_filters_results_are_in_the_log_scope_of_the_message_line_and_each_verdict_is_logged()
    {
        var world = new MailWorld();
        var logs = new CapturingLoggerProvider();
        var filter = new ScriptedFilter("spam") { OnMessage = (_, _) => Task.FromResult(InboundFilterVerdict.Of(InboundFilterAction.Junk, "score=9.5/15 symbols=BAYES_SPAM")) };
        await using var server = await SmtpTestHost.StartAsync(world, configure: services =>
        {
            services.AddSingleton<IInboundMessageFilter>(filter);
            services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs);
        });
        await using var client = await ConnectAsync(server);

        (await SendAsync(client)).Should().StartWith("250 ");

        var accepted = await logs.WaitForAsync(l => l.EventId.Id == 5002, TimeSpan.FromSeconds(10));
        accepted.Scope.Should().Contain(new KeyValuePair<string, object?>("FilterResults", "spam: score=9.5/15 symbols=BAYES_SPAM"));
        var verdict = await logs.WaitForAsync(l => l.EventId.Id == 5300, TimeSpan.FromSeconds(10));
        verdict.Message.Should().Be("Filter spam at Message: Junk (score=9.5/15 symbols=BAYES_SPAM)");
    }

    [Fact]
    public async Task Quarantine_without_a_quarantine_account_delivers_to_Junk()
    {
        var world = new MailWorld();
        var filter = new ScriptedFilter("spam") { OnMessage = (_, _) => Task.FromResult(InboundFilterVerdict.Of(InboundFilterAction.Quarantine)) };
        await using var server = await StartAsync(world, filters: filter);
        await using var client = await ConnectAsync(server);

        (await SendAsync(client)).Should().StartWith("250 ");
        (await MailboxAsync(world.Store, "alice", "Junk")).Should().ContainSingle();
    }

    [Fact]
    public async Task A_discarded_message_is_answered_250_and_stored_nowhere()
    {
        var world = new MailWorld();
        var later = new ScriptedFilter("later", order: 200);
        var filter = new ScriptedFilter("discard", order: 100) { OnMessage = (_, _) => Task.FromResult(InboundFilterVerdict.Of(InboundFilterAction.Discard)) };
        await using var server = await StartAsync(world, filters: [filter, later]);
        await using var client = await ConnectAsync(server);

        (await SendAsync(client)).Should().MatchRegex("^250 2.0.0 OK: queued as [0-9a-f]{16}$");
        (await MailboxAsync(world.Store, "alice", MailboxName.Inbox)).Should().BeEmpty();
        (await MailboxAsync(world.Store, "alice", "Junk")).Should().BeEmpty();
        later.Calls.Should().NotContain("message", "nothing is left to judge after a discard");
    }

    [Fact]
    public async Task A_filter_that_fails_with_the_tempfail_policy_gives_451_and_with_the_accept_policy_a_marked_message()
    {
        var world = new MailWorld();
        var failing = new ThrowingFilter("scanner", InboundFilterFailurePolicy.TempFail);
        await using (var server = await StartAsync(world, filters: failing))
        await using (var client = await ConnectAsync(server))
        {
            (await SendAsync(client)).Should().Be("451 4.7.1 The message could not be checked now, try again later");
            (await MailboxAsync(world.Store, "alice", MailboxName.Inbox)).Should().BeEmpty();
        }

        var lenient = new ThrowingFilter("scanner", InboundFilterFailurePolicy.Accept);
        await using (var server = await StartAsync(world, filters: lenient))
        await using (var client = await ConnectAsync(server))
        {
            (await SendAsync(client)).Should().StartWith("250 ");
            var stored = (await MailboxAsync(world.Store, "alice", MailboxName.Inbox)).Single().Text;
            stored.Should().Contain("X-MailHost-Filter-Unchecked: scanner; scanner is down\r\n");
        }
    }

    [Fact]
    public async Task A_filter_past_its_time_limit_has_failed()
    {
        var world = new MailWorld();
        var slow = new ThrowingFilter("slow", InboundFilterFailurePolicy.TempFail, hang: true);
        await using var server = await StartAsync(world, filters: slow);
        await using var client = await ConnectAsync(server);

        (await SendAsync(client)).Should().Be("451 4.7.1 The message could not be checked now, try again later");
    }

    [Fact]
    public async Task An_allow_list_hit_at_connect_skips_every_later_filter()
    {
        var world = new MailWorld();
        var allow = new ScriptedFilter("allow", order: 1) { OnConnect = _ => InboundFilterVerdict.Of(InboundFilterAction.Allow, "allowed by wl.example") };
        var spam = new ScriptedFilter("spam", order: 2) { OnMessage = (_, _) => Task.FromResult(InboundFilterVerdict.Reject("spam")) };
        await using var server = await StartAsync(world, filters: [spam, allow]);
        await using var client = await ConnectAsync(server);

        (await SendAsync(client)).Should().StartWith("250 ");
        spam.Calls.Should().BeEmpty();
        allow.Calls.Should().Equal("connect");
    }

    [Fact]
    public async Task Filters_run_on_submission_only_when_their_policy_says_so()
    {
        var world = new MailWorld();
        var mxOnly = new ScriptedFilter("mx-only") { OnMessage = (_, _) => Task.FromResult(InboundFilterVerdict.Reject("no")) };
        var both = new ScriptedFilter("both");
        both.Policy.OnSubmission = true;
        await using var server = await StartAsync(world, protocol: MailProtocol.Submission, filters: [mxOnly, both]);
        await using var client = await SmtpTestHost.LoginAliceAsync(server);

        await client.SendAsync("MAIL FROM:<alice@example.com>\r\n");
        (await ReplyAsync(client)).Should().StartWith("250 ");
        await client.SendAsync("RCPT TO:<bob@example.com>\r\n");
        (await ReplyAsync(client)).Should().StartWith("250 ");
        await client.SendAsync("DATA\r\n");
        (await ReplyAsync(client)).Should().StartWith("354 ");
        await client.SendAsync("From: alice@example.com\r\nSubject: hi\r\n\r\nx\r\n.\r\n");
        (await ReplyAsync(client)).Should().StartWith("250 ");

        mxOnly.Calls.Should().BeEmpty();
        both.Calls.Should().Contain("message");
    }

    /// <summary>A filter that throws at the message stage, or waits past its time limit.</summary>
    private sealed class ThrowingFilter(string name, InboundFilterFailurePolicy policy, bool hang = false) : IInboundMessageFilter
    {
        public string Name { get; } = name;

        public InboundFilterPolicy Policy { get; } = new() { OnFailure = policy, Timeout = TimeSpan.FromMilliseconds(hang ? 300 : 5000) };

        public async ValueTask<InboundFilterVerdict> MessageAsync(InboundFilterSession session, InboundFilterEnvelope envelope, InboundFilterMessage message, CancellationToken cancellationToken)
        {
            if (hang)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            throw new InvalidOperationException(Name + " is down");
        }
    }
}
