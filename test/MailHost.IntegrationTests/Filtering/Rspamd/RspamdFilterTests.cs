using System.Diagnostics;
using System.Net;
using MailHost.Filtering;
using MailHost.Filtering.Rspamd;
using MailHost.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailHost.IntegrationTests.Filtering.Rspamd;

/// <summary>The rspamd filter against a real rspamd: its actions become verdicts, its failures exceptions.</summary>
[Collection(nameof(RspamdServer))]
public sealed class RspamdFilterTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [RspamdFact]
    public async Task The_GTUBE_test_string_is_rejected_with_554_and_rspamds_message()
    {
        await using var rspamd = await RspamdServer.StartAsync().WaitAsync(RspamdServer.StartBound);
        using var filter = Filter(rspamd);

        var verdict = await ScanAsync(filter, "spam@example.net", ["b@example.org"], RspamdTestMessages.GtubeMessage());

        verdict.Action.Should().Be(InboundFilterAction.Reject, rspamd.Output);
        verdict.ReplyCode.Should().Be(554);
        verdict.EnhancedStatusCode.Should().Be("5.7.1");
        verdict.ReplyText.Should().Be("Gtube pattern");
        verdict.Summary.Should().StartWith("action=reject ").And.Contain("GTUBE");
    }

    [RspamdFact]
    public async Task A_clean_message_is_accepted_with_the_score_in_its_header_and_the_envelope_reached_rspamd()
    {
        await using var rspamd = await RspamdServer.StartAsync().WaitAsync(RspamdServer.StartBound);
        using var filter = Filter(rspamd);

        var verdict = await ScanAsync(filter, "alice@example.net", ["b@example.org", "c@example.org"], RspamdTestMessages.Clean(), transactionId: "Q7T3ST");

        verdict.Action.Should().Be(InboundFilterAction.Accept, rspamd.Output);
        var fields = verdict.HeaderChanges.Where(change => change.Kind != InboundHeaderChangeKind.Remove).ToDictionary(change => change.Name, change => change.Value!);
        fields["X-Spam-Score"].Should().MatchRegex(@"^-?\d+\.\d\d / 15\.00$");
        fields["X-Spam-Status"].Should().StartWith("No, score=");
        fields["X-Spam-Action"].Should().Be("no action");
        // Symbols that need the envelope: the From header matches MAIL FROM, and both To addresses are recipients.
        fields["X-Spam-Symbols"].Split(", ").Should().Contain(["FROM_EQ_ENVFROM", "TO_MATCH_ENVRCPT_ALL"]);
        // From the milter_headers module: the Queue-Id header came back; X-Spamd-Result arrives folded from rspamd.
        fields["X-Rspamd-Queue-Id"].Should().Be("Q7T3ST");
        fields["X-Spamd-Result"].Should().StartWith("default: False [");
        verdict.HeaderChanges.Should().OnlyContain(change => change.Value == null || !change.Value.Any(char.IsControl));
        verdict.HeaderChanges.Should().Contain(InboundHeaderChange.Remove("X-Spam"));
        verdict.Summary.Should().StartWith("action=no action score=").And.Contain("FROM_EQ_ENVFROM");
    }

    [RspamdFact]
    public async Task Add_header_goes_to_Junk_rewrite_subject_to_the_inbox_and_greylist_is_deferred()
    {
        await using var rspamd = await RspamdServer.StartAsync().WaitAsync(RspamdServer.StartBound);
        using var filter = Filter(rspamd);

        var junk = await ScanAsync(filter, RspamdServer.AddHeaderSender, ["b@example.org"], RspamdTestMessages.Clean("b@example.org"));
        var rewritten = await ScanAsync(filter, RspamdServer.RewriteSubjectSender, ["b@example.org"], RspamdTestMessages.Clean("b@example.org", "Quarterly numbers"));
        var greylisted = await ScanAsync(filter, RspamdServer.GreylistSender, ["b@example.org"], RspamdTestMessages.Clean("b@example.org"));

        junk.Action.Should().Be(InboundFilterAction.Junk, rspamd.Output);
        junk.HeaderChanges.Should().Contain(InboundHeaderChange.Replace("X-Spam", "Yes"));
        junk.HeaderChanges.Should().Contain(change => change.Name == "X-Spam-Status" && change.Value!.StartsWith("Yes, score=", StringComparison.Ordinal));
        rewritten.Action.Should().Be(InboundFilterAction.Accept);
        rewritten.HeaderChanges.Should().Contain(InboundHeaderChange.Replace("Subject", "[rspamd] Quarterly numbers"));
        greylisted.Action.Should().Be(InboundFilterAction.TempFail);
        greylisted.ReplyCode.Should().Be(451);
        greylisted.EnhancedStatusCode.Should().Be("4.7.1");
        greylisted.ReplyText.Should().Be("Greylisted, try again later");
    }

    [RspamdFact]
    public async Task With_rspamd_stopped_the_filter_throws_at_once()
    {
        await using var rspamd = await RspamdServer.StartAsync().WaitAsync(RspamdServer.StartBound);
        using var filter = Filter(rspamd);
        var before = await ScanAsync(filter, "alice@example.net", ["b@example.org"], RspamdTestMessages.Clean("b@example.org"));
        before.Action.Should().Be(InboundFilterAction.Accept, "rspamd answered while it ran");

        await rspamd.StopAsync().WaitAsync(Bound);
        var clock = Stopwatch.StartNew();
        var act = () => ScanAsync(filter, "alice@example.net", ["b@example.org"], RspamdTestMessages.Clean("b@example.org"));

        (await act.Should().ThrowAsync<HttpRequestException>()).Which.Message.Should().Contain("127.0.0.1");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5), "a refused connection fails fast, well inside the policy's time limit");
    }

    internal static RspamdFilter Filter(RspamdServer rspamd)
        => new(new RspamdOptions { Url = rspamd.NormalUrl }, NullLogger<RspamdFilter>.Instance);

    private static async Task<InboundFilterVerdict> ScanAsync(
        RspamdFilter filter, string sender, string[] recipients, byte[] message, string transactionId = "T1")
    {
        var session = new InboundFilterSession
        {
            ClientAddress = IPAddress.Parse("192.0.2.10"),
            ClientPort = 50000,
            Protocol = MailProtocol.Smtp,
            ServerName = "mx.example.org",
            ConnectionId = "c1",
            HeloName = "client.example.net",
        };
        var envelope = new InboundFilterEnvelope { TransactionId = transactionId, Sender = sender };
        foreach (var recipient in recipients)
        {
            envelope.AddRecipient(recipient);
        }

        var stored = new InboundFilterMessage(message.Length, _ => ValueTask.FromResult<Stream>(new MemoryStream(message, writable: false)));
        return await filter.MessageAsync(session, envelope, stored, CancellationToken.None).AsTask().WaitAsync(Bound);
    }
}
